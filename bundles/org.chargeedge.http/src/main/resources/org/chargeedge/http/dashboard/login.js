// The login form: POST /api/login, then on to the page asked for (only a dashboard page).
const form = document.getElementById('login');
const error = document.getElementById('error');

function next() {
  const asked = new URLSearchParams(location.search).get('next');
  return asked && /^\/ui\/[a-z]*(\.html)?(\?[^#]*)?$/.test(asked) ? asked : '/ui/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const button = document.getElementById('submit');
  button.disabled = true;
  try {
    const response = await fetch('/api/login', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: form.user.value, password: form.password.value })
    });
    if (response.ok) {
      location.assign(next());
      return;
    }
    let message = 'The gateway answered ' + response.status;
    try { message = (await response.json()).error || message; } catch { /* not JSON */ }
    error.textContent = message;
    form.password.value = '';
    form.password.focus();
  } catch (e) {
    error.textContent = 'The gateway cannot be reached: ' + e.message;
  } finally {
    button.disabled = false;
  }
});
