// Submits the page's form as soon as it loads; the button stays for browsers
// without scripts.
(function () {
  "use strict";
  var f = document.getElementById("autosubmit");
  if (f) { f.submit(); }
})();
