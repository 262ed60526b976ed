// Log in with email and password (governance's POST /api/v1/auth/login).

import * as api from '../api.js';
import { h, field, errorBox, notice } from '../ui.js';

export async function render(page, ctx) {
  document.title = 'Log in · Cumulus';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button.primary', { type: 'submit' }, 'Log in');
  const form = h('form.card.narrow', { 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to Cumulus'),
    ctx.sessionEndReason ? notice(ctx.sessionEndReason, 'warn') : null,
    field('Email', email),
    field('Password', password),
    h('div.actions', submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelectorAll('.error').forEach((e) => e.remove());
    submit.disabled = true;
    try {
      await api.login(email.value.trim(), password.value);
      password.value = '';
      const next = ctx.query.get('next');
      location.hash = `#${next && next.startsWith('/') && next !== '/login' ? next : '/federations'}`;
    } catch (error) {
      submit.after(errorBox(error, 'Login failed'));
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  page.append(form);
  email.focus();
}
