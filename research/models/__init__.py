"""Research CRM models (filled by the research-domain work)."""
