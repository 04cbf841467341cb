// Warns before an idle session ends, so that a half-filled form is not lost, and renews the session on request.
// Every signed-in request renews it for Account:IdleTimeout (the layout's data-idle-seconds), so the count starts here.
(() => {
    'use strict';
    const warning = document.getElementById('session-warning');
    if (!warning) {
        return;
    }
    const idle = Number(warning.dataset.idleSeconds) * 1000;
    const lead = Math.min(Number(warning.dataset.warnSeconds) * 1000, idle / 2);
    const remaining = warning.querySelector('[data-remaining]');
    const stay = warning.querySelector('[data-stay]');
    let endsAt = 0;
    let warnTimer = 0;
    let countdown = 0;

    const signInAgain = () => location.assign('/Account/Login?ended=true&returnUrl='
        + encodeURIComponent(location.pathname + location.search));

    const showCountdown = () => {
        const left = endsAt - Date.now();
        if (left <= 0) {
            clearInterval(countdown);
            signInAgain();
            return;
        }
        const minutes = Math.ceil(left / 60000);
        const seconds = Math.ceil(left / 1000);
        remaining.textContent = left > 60000 ? `${minutes} minutes` : `${seconds} second${seconds === 1 ? '' : 's'}`;
    };

    const warn = () => {
        warning.hidden = false;
        showCountdown();
        countdown = setInterval(showCountdown, 1000);
        stay.focus();
    };

    const restart = () => {
        clearTimeout(warnTimer);
        clearInterval(countdown);
        warning.hidden = true;
        endsAt = Date.now() + idle;
        warnTimer = setTimeout(warn, idle - lead);
    };

    stay.addEventListener('click', async () => {
        const response = await fetch('/Account/Session', { credentials: 'same-origin', cache: 'no-store' });
        if (response.ok) {
            restart();
        } else {
            signInAgain();
        }
    });
    restart();
})();
