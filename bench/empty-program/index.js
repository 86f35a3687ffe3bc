// No resource: what a preview costs before any provider is involved.
