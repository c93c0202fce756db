"""Colour arithmetic for readable text on a channel's colour (WCAG 2 contrast)."""


def normalize_hex_color(value):
    return value.lower() if value else value


def _channel_luminance(component):
    c = component / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_color):
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel_luminance(red) + 0.7152 * _channel_luminance(green) + 0.0722 * _channel_luminance(blue)


def contrast_ratio(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_color(background):
    """Black or white, whichever contrasts more with the background."""
    return max(("#000000", "#ffffff"), key=lambda text: contrast_ratio(background, text))
