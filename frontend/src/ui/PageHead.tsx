/** A page's title row: heading, a line under it, and actions on the right. */
import type { ReactNode } from "react";

export function PageHead({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: string;
  children?: ReactNode;
}) {
  return (
    <header className="page-head">
      <div>
        <h1>{title}</h1>
        <p className="muted">{subtitle}</p>
      </div>
      {children !== undefined && <span className="grow" />}
      {children}
    </header>
  );
}
