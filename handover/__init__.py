"""The standard end-of-proceedings handover (P14): its versioned template, from which the form, the
validation, the HTML view and the PDF are all derived. Each handover keeps the template version it was
written on and renders with it."""
