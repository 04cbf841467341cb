// Passkeys (WebAuthn) for forms marked data-passkey="create" (register) or "get" (sign in): on submit, the form's
// fields (antiforgery token, name, password) are posted to data-passkey-options, the JSON answer goes to the browser's
// authenticator, and the form is then submitted with the authenticator's answer in its "Credential" field.
// A file of its own: the CSP forbids inline script.
(function () {
    'use strict';
    var supported = window.PublicKeyCredential
        && typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function'
        && typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function';
    document.querySelectorAll(supported ? '[data-passkey-only]' : '[data-passkey-unsupported]').forEach(function (element) {
        element.hidden = false;
    });
    if (!supported) {
        return;
    }

    function showError(form, message) {
        var box = form.querySelector('[data-passkey-error]');
        if (box) {
            box.textContent = message;
            box.hidden = false;
        }
    }

    function describe(error) {
        if (error && error.name === 'NotAllowedError') {
            return 'The passkey request was cancelled or timed out. Try again when you are ready.';
        }
        if (error && error.name === 'InvalidStateError') {
            return 'This device already holds a passkey for your account.';
        }
        return 'Your browser could not use a passkey' + (error && error.message ? ': ' + error.message : '.');
    }

    async function run(form) {
        var response = await fetch(form.getAttribute('data-passkey-options'), {
            method: 'POST',
            body: new FormData(form),
            credentials: 'same-origin',
            headers: { 'Accept': 'application/json' }
        });
        var answer = await response.json().catch(function () { return {}; });
        if (!response.ok) {
            if (answer.redirect) {
                window.location.assign(answer.redirect);
            }
            showError(form, answer.error || 'The portal could not start the passkey request. Reload the page and try again.');
            return;
        }
        var credential = form.getAttribute('data-passkey') === 'create'
            ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(answer) })
            : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(answer) });
        form.querySelector('input[name="Credential"]').value = JSON.stringify(credential);
        // The password was checked when the request started; it is not sent again.
        form.querySelectorAll('input[type="password"]').forEach(function (input) { input.value = ''; });
        form.submit();
    }

    document.querySelectorAll('form[data-passkey]').forEach(function (form) {
        form.addEventListener('submit', function (event) {
            event.preventDefault();
            var button = form.querySelector('button[type="submit"]');
            if (button) {
                button.disabled = true;
            }
            run(form).catch(function (error) {
                showError(form, describe(error));
            }).finally(function () {
                if (button) {
                    button.disabled = false;
                }
            });
        });
    });
}());
