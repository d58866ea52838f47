// Asks the LMS to size its iframe to the page, as Canvas and the LTI
// frameResize convention allow, whenever the page's height changes.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function send() {
    var h = document.documentElement.scrollHeight;
    if (h === last) { return; }
    last = h;
    window.parent.postMessage({ subject: "lti.frameResize", height: h }, "*");
  }
  window.addEventListener("load", send);
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
})();
