"""What the widget's JSON endpoints share: reading a JSON body, and errors with a code and a translated message."""
import json

from django.http import JsonResponse

# Larger than any form the widget sends; anything bigger is not a customer.
MAX_BODY_BYTES = 64 * 1024


def read_json_object(request):
    """The request's JSON object, or None when it is too large, not JSON or not an object."""
    if len(request.body) > MAX_BODY_BYTES:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def error_response(code, message, status=400, **extra):
    """``{"error": {"code", "message"}, ...extra}`` with a 4xx status (docs/api.md)."""
    return JsonResponse({"error": {"code": code, "message": str(message)}, **extra}, status=status)
