// Streams the tutor's answer into the lab page. The form works without this
// script (the page reloads with the whole answer); with it, the answer appears
// as it is written, a Stop button ends it, and a failure offers a retry. The
// session token is in the stream URL, so no cookie is needed.
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var form = document.getElementById("composer");
  if (!chat || !form || !window.fetch || !window.TextDecoder) { return; }
  var list = document.getElementById("messages");
  var status = document.getElementById("chat-end");
  var box = form.elements.message;
  var send = form.querySelector("button[type=submit]");
  var stop = document.getElementById("stop");
  var controller = null;

  function item(cls, text) {
    var li = document.createElement("li");
    li.className = "message " + cls;
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(p);
    list.appendChild(li);
    return li;
  }

  // busy marks an answer in flight. The list is aria-busy meanwhile, so a
  // screen reader reads the answer once, whole, not piece by piece; focus
  // moves to Stop, since Send and the box it was on are disabled.
  function busy(on) {
    send.disabled = on;
    stop.hidden = !on;
    box.disabled = on;
    list.setAttribute("aria-busy", on ? "true" : "false");
    if (on) { stop.focus(); }
  }

  function retryButton(li, id) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button small";
    b.textContent = "Retry";
    b.addEventListener("click", function () {
      b.remove();
      ask({ retry: String(id) }, li);
    });
    li.appendChild(b);
  }

  function ask(fields, mine) {
    var body = new URLSearchParams();
    body.set("csrf", chat.dataset.csrf);
    for (var k in fields) { body.set(k, fields[k]); }
    var answer = item("tutor streaming", "");
    var text = answer.firstChild;
    status.textContent = "The tutor is writing…";
    busy(true);
    controller = new AbortController();
    fetch(chat.dataset.stream, { method: "POST", body: body, credentials: "omit",
      signal: controller.signal }).then(function (resp) {
      if (!resp.ok || !resp.body) { throw new Error("status " + resp.status); }
      var reader = resp.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      function read() {
        return reader.read().then(function (r) {
          if (r.done) { return; }
          buf += decoder.decode(r.value, { stream: true });
          var at;
          while ((at = buf.indexOf("\n\n")) >= 0) {
            handle(buf.slice(0, at));
            buf = buf.slice(at + 2);
          }
          return read();
        });
      }
      return read();
    }).catch(function () {
      if (controller && controller.signal.aborted) {
        status.textContent = "Stopped. What the tutor wrote so far is kept.";
      } else {
        status.textContent = "The connection failed. Your message is saved; reload to retry.";
      }
    }).then(function () {
      answer.classList.remove("streaming");
      controller = null;
      busy(false);
      box.focus();
    });

    function handle(block) {
      var name = "", data = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event: ") === 0) { name = line.slice(7); }
        if (line.indexOf("data: ") === 0) { data += line.slice(6); }
      });
      var v = JSON.parse(data || "null");
      if (name === "delta") {
        text.textContent += v;
      } else if (name === "done") {
        if (v.html) {
          var div = document.createElement("div");
          div.className = "prose";
          div.innerHTML = v.html; // rendered and sanitised by the server
          answer.replaceChild(div, text);
        }
        status.textContent = v.status === "stopped" ? "Stopped." : "";
      } else if (name === "failed") {
        if (!text.textContent) { answer.remove(); }
        status.textContent = v.message;
        // A retried message is stored whatever the outcome, so it keeps
        // its Retry; a new one refused before it was stored goes back in
        // the box.
        if (fields.retry || (v.stored && v.retry)) {
          retryButton(mine, v.retry || fields.retry);
        } else if (!v.stored) {
          box.value = mine.textContent;
          mine.remove();
        }
      }
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var msg = box.value.trim();
    if (!msg) { return; }
    var mine = item("learner", msg);
    box.value = "";
    ask({ message: msg }, mine);
  });
  stop.addEventListener("click", function () {
    if (controller) { controller.abort(); }
  });
})();
