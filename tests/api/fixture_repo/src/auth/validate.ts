/** Check that an e-mail address has a user, an @ and a domain. */
export function validateEmail(email: string): boolean {
  if (!email) {
    return false;
  }
  const at = email.indexOf('@');
  return at > 0 && at < email.length - 1;
}

/** Passwords need eight characters, a digit and a letter. */
export function validatePassword(password: string): boolean {
  if (password.length < 8) {
    return false;
  }
  return /[0-9]/.test(password) && /[a-z]/i.test(password);
}
