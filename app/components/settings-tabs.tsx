import { NavLink } from '@remix-run/react';

/** SPEC §7 "settings (general, provisioning, single sign-on)": one page per part, one way between them. */
export function SettingsTabs() {
  return (
    <nav className="tabs" aria-label="Settings">
      <NavLink to="/settings" end>
        General
      </NavLink>
      <NavLink to="/settings/provisioning">Provisioning</NavLink>
      <NavLink to="/settings/sso">Single sign-on</NavLink>
    </nav>
  );
}
