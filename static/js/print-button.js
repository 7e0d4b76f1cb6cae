// The receipt's Print button: only shown where JavaScript runs; without it the page says how to print,
// and the print stylesheet prints the receipt alone either way.
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
