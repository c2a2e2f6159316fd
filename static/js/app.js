// A header checkbox with data-select-all="NAME" ticks every checkbox named NAME in its form.
document.addEventListener("change", (event) => {
  const name = event.target.dataset && event.target.dataset.selectAll;
  if (!name) return;
  event.target.form.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = event.target.checked;
  });
});

// Copy buttons: data-copy="TEXT".
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy);
});

// <time data-relative>: "3 days ago" in the page's language, computed here so that the server
// renders each row without translating a duration; without JavaScript the date stays.
(function () {
  if (!window.Intl || !Intl.RelativeTimeFormat) return;
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  document.querySelectorAll("time[data-relative]").forEach((element) => {
    const seconds = (new Date(element.dateTime) - Date.now()) / 1000;
    if (Number.isNaN(seconds)) return;
    element.title = element.textContent;
    const [unit, size] = units.find(([, size]) => Math.abs(seconds) >= size) || ["minute", 60];
    element.textContent = format.format(Math.round(seconds / size), unit);
  });
})();
