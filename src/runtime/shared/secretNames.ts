/**
 * Variable names that hold secrets. The hook will not auto-approve a command that expands one, and a
 * recipe may not put one in claude.env (secrets go in auth, as references).
 */
export const SECRET_VARIABLE = /TOKEN|SECRET|PASSW|API_?KEY|CREDENTIAL|PRIVATE|AUTH/i;
