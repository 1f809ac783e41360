"""One router per area; each route reads its dependencies, calls one function, returns a
public schema."""
