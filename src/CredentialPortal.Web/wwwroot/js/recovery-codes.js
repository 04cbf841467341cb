// Copy and download buttons for the recovery codes (no inline script: the CSP forbids it).
(function () {
    'use strict';
    function codes(button) {
        var source = document.getElementById(button.getAttribute('data-copy-from') || button.getAttribute('data-download-from'));
        return source ? source.textContent.trim() + '\n' : '';
    }
    document.querySelectorAll('[data-copy-from]').forEach(function (button) {
        button.addEventListener('click', function () {
            navigator.clipboard.writeText(codes(button)).then(function () {
                button.textContent = 'Copied';
            }, function () {
                button.textContent = 'Copy failed: select the codes and copy them';
            });
        });
    });
    document.querySelectorAll('[data-download-from]').forEach(function (button) {
        button.addEventListener('click', function () {
            var url = URL.createObjectURL(new Blob([codes(button)], { type: 'text/plain' }));
            var link = document.createElement('a');
            link.href = url;
            link.download = button.getAttribute('data-filename') || 'recovery-codes.txt';
            document.body.appendChild(link);
            link.click();
            link.remove();
            URL.revokeObjectURL(url);
        });
    });
}());
