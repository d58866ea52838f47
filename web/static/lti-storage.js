// The tool side of the LTI client-side postMessage storage. Inside an LMS
// iframe the browser may refuse the tool's cookies; the platform can then keep
// the value that binds a login to this browser. The login page stores it
// (mode "put") and the launch page reads it back (mode "get").
//
// Messages go only to the platform's authorization origin, and answers are
// accepted only from it. The capabilities probe comes first, because Canvas
// sends a storage target even where its storage does not work. Subjects are
// accepted with and without the "org.imsglobal." prefix.
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) { return; }
  var mode = box.dataset.mode, origin = box.dataset.origin, key = box.dataset.key;
  var seq = 0;

  function targetFrame(name) {
    try {
      if (!name || name === "_parent") { return window.parent; }
      return window.parent.frames[name] || window.top.frames[name] || null;
    } catch (e) { return null; }
  }

  function bare(subject) {
    return typeof subject === "string" ? subject.replace(/^org\.imsglobal\./, "") : "";
  }

  // send posts one message and resolves with its answer, or null on timeout.
  function send(frame, subject, fields, ms) {
    return new Promise(function (resolve) {
      var id = "aesop-" + Date.now() + "-" + (seq++);
      var msg = { subject: subject, message_id: id };
      for (var k in fields) { msg[k] = fields[k]; }
      var timer = setTimeout(function () { done(null); }, ms);
      function onMessage(ev) {
        var d = ev.data;
        if (ev.origin !== origin || !d || d.message_id !== id) { return; }
        if (bare(d.subject) !== bare(subject) + ".response") { return; }
        done(d);
      }
      function done(v) {
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        resolve(v);
      }
      window.addEventListener("message", onMessage);
      try { frame.postMessage(msg, origin); } catch (e) { done(null); }
    });
  }

  // capability finds how the platform names an action and which frame takes it.
  function capability(answer, action) {
    var list = (answer && answer.supported_messages) || [];
    for (var i = 0; i < list.length; i++) {
      if (bare(list[i].subject) === action) { return list[i]; }
    }
    return null;
  }

  function probe() {
    var frame = targetFrame(box.dataset.target);
    if (!frame || !origin || !window.Promise) { return Promise.resolve(null); }
    return send(frame, "lti.capabilities", {}, 1000).then(function (a) {
      return a || send(frame, "org.imsglobal.lti.capabilities", {}, 1000);
    }).then(function (a) { return { frame: frame, answer: a }; });
  }

  function use(p, action, fields) {
    var cap = p && capability(p.answer, action);
    if (!cap) { return Promise.resolve(null); }
    var frame = cap.frame ? targetFrame(cap.frame) : p.frame;
    if (!frame) { return Promise.resolve(null); }
    return send(frame, cap.subject, fields, 2000);
  }

  if (mode === "put") {
    probe().then(function (p) {
      return use(p, "lti.put_data", { key: key, value: box.dataset.value });
    }).then(function () {
      window.location.replace(box.dataset.next);
    }, function () {
      window.location.replace(box.dataset.next);
    });
    return;
  }

  var form = document.getElementById("lti-storage-form");
  probe().then(function (p) {
    return use(p, "lti.get_data", { key: key });
  }).then(function (a) {
    if (a && !a.error && typeof a.value === "string" && a.value) {
      form.elements.lti_binding.value = a.value;
    } else {
      form.elements.storage_failed.value = "1";
    }
    form.submit();
  }, function () {
    form.elements.storage_failed.value = "1";
    form.submit();
  });
})();
