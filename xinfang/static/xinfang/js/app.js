// Small behaviours that CSP forbids inline: confirm dialogs and print buttons,
// focusing the first error of an action form, keeping typed text over a lapsed session.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
  var printer = event.target.closest("[data-print]");
  if (printer) {
    event.preventDefault();
    window.print();
  }
});

// An action form that comes back with errors: bring the first one into view and
// put the cursor there, instead of leaving the person at the button, far below.
// A field's error focuses its first control; an error for the whole form (e.g.
// a conflict) focuses the message itself.
var ERROR_SELECTOR = ".has-error, ul.errorlist, .error[role=alert]";
var CONTROL_SELECTOR = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

function focusFirstError(root) {
  var form = root.matches && root.matches(".action-form") ? root : root.querySelector(".action-form");
  var error = form && form.querySelector(ERROR_SELECTOR);
  if (!error) {
    return;
  }
  var target = error.matches(".has-error") ? error.querySelector(CONTROL_SELECTOR) : null;
  if (!target) {
    target = error;
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
  }
  error.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

// A lapsed session. The server answers an htmx request from an anonymous person
// with 401, a Chinese message and X-Login-URL (xinfang.middleware). Keep what was
// typed in the requesting form in this tab's sessionStorage, keyed by the form's
// action URL, say why, and go to the login page; after logging in, the page that
// has that form again puts the values back. Never the CSRF token (it changes on
// login), a password or a file; hidden fields do come back, so an action form's
// version still detects a change someone else made to the case meanwhile.
var DRAFT_PREFIX = "xinfang:draft:";
var RESTORED = "已恢复登录前填写的内容，请核对后提交";
var NOT_TYPED = /^(password|file|submit|button|reset|image)$/;

function draftKey(form) {
  var url = new URL(form.getAttribute("action") || "", window.location.href);
  return DRAFT_PREFIX + url.pathname + url.search;
}

// Who typed it: a draft is put back only for the same person, not for whoever
// logs in next on a shared computer.
function draftOwner() {
  var who = document.querySelector(".whoami");
  if (!who) {
    return "";
  }
  var org = who.querySelector(".org");
  var name = who.querySelector(".name");
  return (org ? org.textContent.trim() : "") + "|" + (name ? name.textContent.trim() : "");
}

function typedControls(form) {
  return Array.prototype.filter.call(form.elements, function (el) {
    return el.name && el.tagName !== "FIELDSET" && el.name !== "csrfmiddlewaretoken" &&
      !el.disabled && !NOT_TYPED.test(el.type);
  });
}

function saveDraft(form) {
  var fields = {};
  typedControls(form).forEach(function (el) {
    var values = fields[el.name] || (fields[el.name] = []);
    if (el.type === "checkbox" || el.type === "radio") {
      if (el.checked) {
        values.push(el.value);
      }
    } else if (el.type === "select-multiple") {
      Array.prototype.forEach.call(el.selectedOptions, function (option) {
        values.push(option.value);
      });
    } else {
      values.push(el.value);
    }
  });
  try {
    window.sessionStorage.setItem(draftKey(form), JSON.stringify({ owner: draftOwner(), fields: fields }));
    return true;
  } catch (err) {
    return false;  // storage full or switched off: the login page then does not promise a restore
  }
}

function takeDraft(form) {
  var key = draftKey(form);
  var draft = null;
  try {
    draft = JSON.parse(window.sessionStorage.getItem(key) || "null");
    window.sessionStorage.removeItem(key);
  } catch (err) {
    return null;
  }
  return draft && draft.fields && draft.owner === draftOwner() ? draft.fields : null;
}

function restoreDraft(form) {
  var fields = takeDraft(form);
  if (!fields) {
    return;
  }
  var seen = {};
  typedControls(form).forEach(function (el) {
    var values = fields[el.name];
    if (!values) {
      return;
    }
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = values.indexOf(el.value) !== -1;
    } else if (el.type === "select-multiple") {
      Array.prototype.forEach.call(el.options, function (option) {
        option.selected = values.indexOf(option.value) !== -1;
      });
    } else {
      var i = seen[el.name] || 0;
      seen[el.name] = i + 1;
      var value = values[i];
      var offered = el.tagName !== "SELECT" || Array.prototype.some.call(el.options, function (option) {
        return option.value === value;
      });
      if (value !== undefined && offered) {
        el.value = value;
      }
    }
  });
  showNotice(form, RESTORED, "status", "restored");
}

function showNotice(before, text, role, kind) {
  var note = before.parentNode && before.parentNode.querySelector(":scope > .notice-" + kind);
  if (!note) {
    note = document.createElement("p");
    note.className = "notice notice-" + kind;
    note.setAttribute("role", role);
    before.parentNode.insertBefore(note, before);
  }
  note.textContent = text;
  return note;
}

function restoreDrafts(root) {
  var forms = root.tagName === "FORM" ? [root] : root.querySelectorAll("form");
  Array.prototype.forEach.call(forms, restoreDraft);
}

var leavingForLogin = false;

document.addEventListener("htmx:responseError", function (event) {
  var xhr = event.detail.xhr;
  var login = xhr && xhr.status === 401 && xhr.getResponseHeader("X-Login-URL");
  if (!login) {
    return;
  }
  var url = new URL(login, window.location.href);
  if (url.origin !== window.location.origin) {
    return;
  }
  var elt = event.detail.elt;
  var form = elt && (elt.tagName === "FORM" ? elt : elt.form || elt.closest("form"));
  if (form && saveDraft(form)) {
    url.searchParams.set("draft", "1");
  }
  var message = (xhr.responseText || "").trim() || "登录已过期，请重新登录";
  var place = form || event.detail.target || document.getElementById("main");
  if (place) {
    showNotice(place, message, "alert", "expired").scrollIntoView({ block: "nearest" });
  }
  if (leavingForLogin) {
    return;
  }
  leavingForLogin = true;
  // A moment to read why the page changes; what is typed meanwhile is kept too.
  window.setTimeout(function () {
    if (form) {
      saveDraft(form);
    }
    window.location.assign(url.pathname + url.search);
  }, 1000);
});

// New content: the whole page once loaded, then whatever htmx swaps in.
function settle(root) {
  restoreDrafts(root);
  focusFirstError(root);
}

document.addEventListener("htmx:afterSettle", function (event) {
  var target = (event.detail && event.detail.target) || event.target;
  if (target && target.querySelector) {
    settle(target);
  }
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () {
    settle(document);
  });
} else {
  settle(document);
}

// Live character count (registration's 内容摘要, any input with data-char-limit and
// data-char-counter="<id of the count>"). Nothing is cut while typing: the server
// refuses an over-long text with a message at the field and keeps all of it.
// Counts characters as the server does (code points, surrounding spaces not counted).
function updateCharCount(input) {
  var limit = parseInt(input.getAttribute("data-char-limit"), 10);
  var counter = document.getElementById(input.getAttribute("data-char-counter") || "");
  if (!counter || !limit) {
    return;
  }
  var used = Array.from(input.value.trim()).length;
  var over = used - limit;
  counter.textContent = over > 0
    ? "已输入 " + used + " 字，超出 " + over + " 字，请精简到 " + limit + " 字以内"
    : "已输入 " + used + " / " + limit + " 字";
  counter.classList.toggle("error", over > 0);
  counter.classList.toggle("help", over <= 0);
}

function initCharCounts(root) {
  Array.prototype.forEach.call(root.querySelectorAll("[data-char-limit][data-char-counter]"), updateCharCount);
}

["input", "change"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-char-limit][data-char-counter]")) {
      updateCharCount(el);
    }
  });
});

document.addEventListener("htmx:afterSettle", function (event) {
  var target = (event.detail && event.detail.target) || event.target;
  if (target && target.querySelectorAll) {
    initCharCounts(target);
  }
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () {
    initCharCounts(document);
  });
} else {
  initCharCounts(document);
}
