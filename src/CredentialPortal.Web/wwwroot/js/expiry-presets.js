// Progressive enhancement of the new-secret and new-key forms: buttons that set the expiry date field to a preset date
// (the server rendered them hidden, with the dates). Without this script the date field works on its own.
(() => {
    'use strict';

    for (const presets of document.querySelectorAll('[data-expiry-presets]')) {
        const field = document.getElementById(presets.dataset.expiryPresets);
        if (!field) {
            continue;
        }
        const buttons = [...presets.querySelectorAll('button[data-expiry-date]')];
        const mark = () => buttons.forEach(b => b.setAttribute('aria-pressed', String(b.dataset.expiryDate === field.value)));
        for (const button of buttons) {
            button.addEventListener('click', () => {
                field.value = button.dataset.expiryDate;
                field.dispatchEvent(new Event('change', { bubbles: true }));
            });
        }
        field.addEventListener('change', mark);
        field.addEventListener('input', mark);
        mark();
        presets.hidden = false;
    }
})();
