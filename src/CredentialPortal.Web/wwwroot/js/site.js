// Progressive enhancement only: every page works without this script.
(() => {
    'use strict';

    // Copy buttons: <button data-copy="#element-id"> copies that input's value or element's text.
    document.addEventListener('click', async event => {
        const button = event.target.closest('[data-copy]');
        if (!button) {
            return;
        }
        const source = document.querySelector(button.dataset.copy);
        const text = source && ('value' in source ? source.value : source.textContent);
        if (!text) {
            return;
        }
        const label = button.firstChild.textContent;
        try {
            await navigator.clipboard.writeText(text);
            button.firstChild.textContent = 'Copied';
        } catch {
            if (source.select) {
                source.select();
            }
            button.firstChild.textContent = 'Press Ctrl+C';
        }
        setTimeout(() => { button.firstChild.textContent = label; }, 2000);
    });

    // Dates: the server renders UTC (with UTC on hover); show them in the reader's locale.
    const formats = {
        date: { dateStyle: 'medium' },
        datetime: { dateStyle: 'medium', timeStyle: 'short' },
    };
    for (const time of document.querySelectorAll('time[data-format]')) {
        const format = formats[time.dataset.format];
        const instant = new Date(time.getAttribute('datetime'));
        if (format && !Number.isNaN(instant.getTime())) {
            time.textContent = new Intl.DateTimeFormat(undefined, format).format(instant);
        }
    }

    // Confirmation before a form marked data-confirm is sent (the server-side confirmation pages remain).
    document.addEventListener('submit', event => {
        const message = event.target.dataset.confirm;
        if (message && !window.confirm(message)) {
            event.preventDefault();
        }
    });
})();
