// Saves each choice of an open test attempt as it is made, so that nothing is
// lost if the page or the network fails before the learner submits. The form
// still carries every choice when it is submitted, with or without this script.
(function () {
  "use strict";
  var form = document.querySelector("form.test-form");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("save-status");
  form.addEventListener("change", function (ev) {
    var input = ev.target;
    if (input.type !== "radio" || input.name.indexOf("q-") !== 0) { return; }
    var body = new URLSearchParams();
    body.set("csrf", form.elements.csrf.value);
    body.set("attempt", form.dataset.attempt);
    body.set("question", input.name.slice(2));
    body.set("option", input.value);
    fetch(form.dataset.save, { method: "POST", body: body, credentials: "omit" })
      .then(function (r) {
        status.textContent = r.ok ? "Saved." : "Not saved; your choice is kept in the form.";
      }, function () {
        status.textContent = "Offline; your choice is kept in the form.";
      });
  });
})();
