/* Keeps this guide on the device for reading offline (docs/help-centre.md). */
(function () {
  var worker = document.documentElement.getAttribute("data-worker");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker).catch(function () {});
  }
})();

/* "Open now" or "Closed" holds until data-until: past that instant the line is hidden,
   whether the page came from the device, a cache, or was left open in a tab. */
(function () {
  var line = document.getElementById("opening");
  var until = line ? Date.parse(line.getAttribute("data-until") || "") : NaN;
  if (isNaN(until)) return;
  var hide = function () { line.hidden = true; };
  var left = until - Date.now();
  if (left <= 0) hide();
  else if (left < 2147483647) setTimeout(hide, left);  // the longest a timer waits
})();
