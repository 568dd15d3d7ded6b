/* Keeps this guide on the device for reading offline (docs/help-centre.md). */
(function () {
  var worker = document.documentElement.getAttribute("data-worker");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker).catch(function () {});
  }
})();
