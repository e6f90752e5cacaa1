import { storeToken, takeSignInState } from './shell/auth';

/** Landing page of the sign-in redirect: keeps the token and returns to the page that asked for it. */
function show(message: string, link?: string): void {
  const root = document.getElementById('root') as HTMLElement;
  const main = document.createElement('main');
  main.style.padding = '24px';
  const h1 = document.createElement('h1');
  h1.textContent = 'Signing in';
  h1.style.fontSize = '20px';
  const p = document.createElement('p');
  p.textContent = message;
  main.append(h1, p);
  if (link) {
    const a = document.createElement('a');
    a.href = link;
    a.textContent = 'Try again';
    main.append(a);
  }
  root.replaceChildren(main);
}

const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
const pending = takeSignInState();
const error = params.get('error');
const token = params.get('access_token');
if (error) {
  show(`Sign-in did not finish: ${params.get('error_description') ?? error}.`, pending?.returnTo ?? '/tab/portal');
} else if (!token) {
  show('No sign-in answer arrived. Start again from the portal.', '/tab/portal');
} else if (!pending || pending.state !== params.get('state')) {
  show('This sign-in answer does not match a sign-in started here, so it was ignored.', pending?.returnTo ?? '/tab/portal');
} else {
  show('Signed in. Taking you back…');
  storeToken(token);
  window.location.replace(pending.returnTo);
}
