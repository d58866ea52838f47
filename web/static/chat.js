// Streams the tutor's answer into the lab page. The form works without this
// script (the page reloads with the whole answer); with it, the answer appears
// as it is written, a Stop button ends it, and a failure offers a retry. The
// session token is in the stream URL, so no cookie is needed.
//
// The server stores the learner's message before it sends the first event,
// so an event is the only sign that the message was kept: until one comes,
// the text is the learner's to keep, and a refusal puts it back in the box.
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
  var tutorName = chat.dataset.tutor || "Tutor";
  var controller = null;

  // item adds a message built as the server builds one: a speaker label
  // that only screen readers read, then the text.
  function item(cls, who, text) {
    var li = document.createElement("li");
    li.className = "message " + cls;
    var label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = who + ":";
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(label);
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

  // reasonOf finds the server's reason in the body of a refused request:
  // the tool's error page, or JSON or text with a message.
  function reasonOf(type, body) {
    var reason = "";
    try {
      if (type.indexOf("json") >= 0) {
        var v = JSON.parse(body);
        reason = v.message || (v.error && v.error.message) || "";
      } else if (type.indexOf("html") >= 0) {
        var p = new DOMParser().parseFromString(body, "text/html")
          .querySelector("[role=alert] p");
        reason = p ? p.textContent : "";
      } else if (body.length < 300) {
        reason = body;
      }
    } catch (e) {
      reason = "";
    }
    return String(reason).replace(/\s+/g, " ").trim();
  }

  // told is the reason to show for a refusal with the given status. A
  // refusal (4xx, or a tutor that is not set up) says what to do; the error
  // page of another failure names a request id the page does not show, so it
  // gets a plain sentence.
  function told(code, reason) {
    if (reason && (code < 500 || code === 503)) { return reason; }
    return "The tutor could not take your message (error " + code + "). Please try " +
      "again in a moment.";
  }

  function ask(fields, mine) {
    var body = new URLSearchParams();
    body.set("csrf", chat.dataset.csrf);
    for (var k in fields) { body.set(k, fields[k]); }
    var answer = item("tutor streaming", tutorName, "");
    var text = answer.querySelector("p");
    // heard is set by the first event: the message is stored by then.
    // ended is set by the last, done or failed.
    var heard = false, ended = false;
    status.textContent = "The tutor is writing…";
    busy(true);
    controller = new AbortController();
    fetch(chat.dataset.stream, { method: "POST", body: body, credentials: "omit",
      signal: controller.signal }).then(function (resp) {
      if (!resp.ok || !resp.body) {
        var type = resp.headers.get("Content-Type") || "";
        return resp.text().catch(function () { return ""; }).then(function (b) {
          refused(resp.status, reasonOf(type, b));
        });
      }
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
      if (ended) { return; }
      if (controller && controller.signal.aborted) {
        stopped();
      } else if (!heard) {
        unsent("The connection failed before the tutor confirmed your message.", "", true);
      } else {
        status.textContent = "The connection failed. Your message is saved; reload to retry.";
      }
    }).then(function () {
      answer.classList.remove("streaming");
      controller = null;
      busy(false);
      box.focus();
    });

    // refused reports a request the server turned away before reading it.
    // A session that ended, or a page older than its form, needs a new
    // page, and a new page starts with an empty box.
    function refused(code, reason) {
      if (code !== 401 && code !== 403) {
        unsent(told(code, reason), "");
      } else if (fields.retry) {
        unsent("Your session has ended or this page is out of date.", "Reload the page, " +
          "or open the activity again from your course, and retry it there.");
      } else {
        unsent("Your session has ended or this page is out of date.", "Copy it, then " +
          "reload the page, or open the activity again from your course, to start a new " +
          "session; reloading clears the box.");
      }
    }

    // unsent undoes a message the server did not store, or, with maybe, may
    // not have: its text goes back in the box, unless the learner has
    // written there since, when the message stays in the conversation to
    // copy. A retried message is stored already, so it keeps its place and
    // its Retry. The status says why, what became of the message, then what
    // to do.
    function unsent(why, then, maybe) {
      var what = maybe ? " Your message may not have been sent." :
        " Your message was not sent.";
      answer.remove();
      if (fields.retry) {
        what = " Your message is saved.";
        retryButton(mine, fields.retry);
      } else if (!box.value.trim()) {
        what = what.slice(0, -1) + "; it is back in the box.";
        box.value = fields.message;
        mine.remove();
      }
      status.textContent = why + what + (then ? " " + then : "");
    }

    // stopped reports a Stop. With no text yet there is no answer to keep,
    // and the server keeps the message unanswered once it has stored it.
    // Only the first event says it has, and none carries the message's id,
    // so a new message is retried from the reloaded page.
    function stopped() {
      if (text.textContent) {
        status.textContent = "Stopped. What the tutor wrote so far is kept.";
        return;
      }
      answer.remove();
      if (fields.retry) {
        status.textContent = "Stopped before the tutor answered. Your message is saved.";
        retryButton(mine, fields.retry);
      } else if (heard) {
        status.textContent = "Stopped before the tutor answered. Your message is saved; " +
          "reload the page to retry it.";
      } else {
        status.textContent = "Stopped before the tutor answered. Reload the page to " +
          "retry your message; if it is not there, send it again.";
      }
    }

    function handle(block) {
      var name = "", data = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event: ") === 0) { name = line.slice(7); }
        if (line.indexOf("data: ") === 0) { data += line.slice(6); }
      });
      if (!name) { return; }
      heard = true;
      var v = JSON.parse(data || "null");
      if (name === "delta") {
        text.textContent += v;
      } else if (name === "done") {
        ended = true;
        finished(v);
      } else if (name === "failed") {
        ended = true;
        if (!v.stored) {
          unsent(told(v.status, v.message), "");
          return;
        }
        if (!text.textContent) { answer.remove(); }
        status.textContent = v.message;
        if (v.retry || fields.retry) { retryButton(mine, v.retry || fields.retry); }
      }
    }

    // finished shows the answer as the server rendered it. With none, the
    // answer stopped before any text and the message waits for a retry.
    function finished(v) {
      if (!v.answer) {
        answer.remove();
        status.textContent = "Stopped before the tutor answered. Your message is saved.";
        retryButton(mine, v.sent);
        return;
      }
      var div = document.createElement("div");
      div.className = "prose";
      div.innerHTML = v.html; // rendered and sanitised by the server
      answer.replaceChild(div, text);
      status.textContent = v.status === "stopped" ? "Stopped." : "";
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var msg = box.value.trim();
    if (!msg) { return; }
    var mine = item("learner", "You", msg);
    box.value = "";
    ask({ message: msg }, mine);
  });
  stop.addEventListener("click", function () {
    if (controller) { controller.abort(); }
  });
})();
