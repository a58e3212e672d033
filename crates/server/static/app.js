// Filters apply as soon as a choice changes; without script the Apply button does the same.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("form.filters select")) field.form.requestSubmit();
});
