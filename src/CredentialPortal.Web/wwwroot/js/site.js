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

    // Lists shown as cards on narrow screens (table.stack): each cell is labelled with its column's heading.
    for (const table of document.querySelectorAll('table.stack')) {
        const headings = [...table.querySelectorAll('thead th')].map(th => th.querySelector('.visually-hidden') ? '' : th.textContent.trim());
        for (const row of table.querySelectorAll('tbody tr')) {
            [...row.children].forEach((cell, index) => {
                if (headings[index] && index > 0) {
                    cell.dataset.label = headings[index];
                }
            });
        }
    }

    // The application form shows the name it will propose while organisation, API and sandbox flag are chosen; the
    // server makes the same proposal when the name is left empty, and decides.
    const organisation = document.querySelector('select[data-name-parts]');
    const proposed = document.getElementById('proposed-name');
    if (organisation && proposed) {
        const parts = JSON.parse(organisation.dataset.nameParts);
        const form = organisation.form;
        const update = () => {
            const part = parts[organisation.value];
            const api = form.elements['Input.ApiCode'].value;
            const sandbox = form.querySelector('input[type=checkbox][name="Input.IsSandboxOnly"]')?.checked;
            const name = part && api ? `${sandbox ? 'PartnerAlternative' : 'Partner'}-${part}-${api}` : '';
            proposed.textContent = name;
            proposed.parentElement.hidden = !name;
            form.elements['Input.Name'].placeholder = name;
        };
        form.addEventListener('change', update);
        update();
    }

    // Creating an application: only the chosen API's permissions are offered (the others are hidden and not sent).
    const apiChoice = document.querySelector('select[name="Input.ApiCode"]');
    if (apiChoice) {
        const showPermissions = () => {
            for (const choice of apiChoice.form.querySelectorAll('[data-apis]')) {
                const allowed = choice.dataset.apis.split(' ').includes(apiChoice.value);
                choice.hidden = !allowed;
                choice.querySelector('input').disabled = !allowed;
            }
            document.getElementById('permissions-hint').hidden = apiChoice.value !== '';
        };
        apiChoice.addEventListener('change', showPermissions);
        showPermissions();
    }

    // A filter that decides another's choices (an organisation, its applications) applies at once: the other is reset
    // and the list reloads with the new choices, without pressing "Filter".
    for (const select of document.querySelectorAll('select[data-filter-resets]')) {
        select.addEventListener('change', () => {
            const dependent = select.form.elements[select.dataset.filterResets];
            if (dependent) {
                dependent.value = '';
            }
            select.form.requestSubmit();
        });
    }

    // Confirmation before a form marked data-confirm is sent (the server-side confirmation pages remain).
    document.addEventListener('submit', event => {
        const message = event.target.dataset.confirm;
        if (message && !window.confirm(message)) {
            event.preventDefault();
        }
    });
})();
