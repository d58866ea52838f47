// Tells the LMS that Dynamic Registration is finished, so it closes the
// registration window or dialog.
(function () {
  "use strict";
  function close() {
    var target = window.opener || window.parent;
    if (target && target !== window) {
      target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  }
  document.getElementById("lti-close").addEventListener("click", close);
  close();
})();
