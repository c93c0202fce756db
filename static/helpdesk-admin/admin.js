'use strict';
{
    // The embed snippet is selected on a click, ready to copy.
    document.addEventListener('click', function(event) {
        const snippet = event.target.closest('textarea.helpdesk-snippet');
        if (snippet) {
            snippet.select();
        }
    });

    // A channel's colours come as data attributes and are set through the
    // CSSOM: the Content-Security-Policy refuses style attributes in markup.
    function paintColorPreviews() {
        document.querySelectorAll('.helpdesk-color-preview').forEach(function(preview) {
            preview.style.backgroundColor = preview.dataset.background;
            preview.style.color = preview.dataset.color;
        });
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', paintColorPreviews);
    } else {
        paintColorPreviews();
    }
}
