// Small behaviours that CSP forbids inline: confirm dialogs and print buttons,
// focusing the first error of an action form.
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

document.addEventListener("htmx:afterSettle", function (event) {
  var target = (event.detail && event.detail.target) || event.target;
  if (target && target.querySelector) {
    focusFirstError(target);
  }
});

// A full-page action form (no htmx, or the page reloaded) with errors.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError(document);
  });
} else {
  focusFirstError(document);
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
