"""Who is asking: the per-request Actor, API tokens, and (for the embedded demo) the persona picker."""
