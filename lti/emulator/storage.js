// Platform side of LTI client-side postMessages for the LMS emulator.
// window.ltiPlatform says what this window does:
//   storage:      whether this window answers lti.put_data and lti.get_data
//   storageFrame: the frame name tools are told to send storage messages to,
//                 or "" when the platform offers no storage
//   capabilities: whether this window answers lti.capabilities
//   toolFrame:    the id of the iframe the tool runs in ("" if none)
//   closeURL:     where to go when the tool posts org.imsglobal.lti.close
(function () {
  "use strict";
  var cfg = window.ltiPlatform || {};
  var store = {}; // sender origin -> key -> value

  function send(event, request, body) {
    body.subject = request.subject + ".response";
    body.message_id = request.message_id;
    event.source.postMessage(body, event.origin);
  }

  function fail(event, request, code, message) {
    send(event, request, { error: { code: code, message: message } });
  }

  function toolFrame() {
    return cfg.toolFrame ? document.getElementById(cfg.toolFrame) : null;
  }

  function capabilities(event, request) {
    var supported = [{ subject: "lti.capabilities" }];
    if (cfg.storageFrame) {
      supported.push({ subject: "lti.put_data", frame: cfg.storageFrame });
      supported.push({ subject: "lti.get_data", frame: cfg.storageFrame });
    }
    send(event, request, { supported_messages: supported });
  }

  function putData(event, request) {
    if (typeof request.key !== "string" || request.key === "") {
      fail(event, request, "bad_request", "key must be a non-empty string");
      return;
    }
    if (typeof request.value !== "string") {
      fail(event, request, "bad_request", "value must be a string");
      return;
    }
    var bucket = store[event.origin] || (store[event.origin] = {});
    bucket[request.key] = request.value;
    send(event, request, { key: request.key, value: request.value });
  }

  function getData(event, request) {
    if (typeof request.key !== "string" || request.key === "") {
      fail(event, request, "bad_request", "key must be a non-empty string");
      return;
    }
    var bucket = store[event.origin] || {};
    if (!Object.prototype.hasOwnProperty.call(bucket, request.key)) {
      fail(event, request, "bad_request", "no value is stored for this key");
      return;
    }
    send(event, request, { key: request.key, value: bucket[request.key] });
  }

  function frameResize(event, request) {
    var frame = toolFrame();
    var height = parseInt(request.height, 10);
    if (frame && event.source === frame.contentWindow && height > 0) {
      frame.style.height = height + "px";
    }
  }

  function close(event) {
    var frame = toolFrame();
    var fromTool = frame && event.source === frame.contentWindow;
    if (fromTool && cfg.closeURL) {
      window.location.href = cfg.closeURL;
    }
  }

  window.addEventListener("message", function (event) {
    var request = event.data;
    if (typeof request === "string") {
      try {
        request = JSON.parse(request);
      } catch (e) {
        return;
      }
    }
    if (!request || typeof request.subject !== "string" || !event.source) {
      return;
    }
    // Plain and org.imsglobal-prefixed subjects name the same message.
    var subject = request.subject.replace(/^org\.imsglobal\./, "");
    switch (subject) {
      case "lti.capabilities":
        if (cfg.capabilities) {
          capabilities(event, request);
        }
        return;
      case "lti.put_data":
      case "lti.get_data":
        if (!cfg.storage) {
          return;
        }
        if (event.origin === "null") {
          fail(event, request, "wrong_origin", "messages from opaque origins are refused");
        } else if (subject === "lti.put_data") {
          putData(event, request);
        } else {
          getData(event, request);
        }
        return;
      case "lti.frameResize":
        frameResize(event, request);
        return;
      case "lti.close":
        close(event);
        return;
    }
    if (cfg.capabilities && subject.indexOf("lti.") === 0 && request.message_id) {
      fail(event, request, "unsupported_subject",
        "this platform does not handle " + request.subject);
    }
  });
})();
