// The console's own script: small conveniences only. Every page works without it (plain
// forms and links); htmx adds partial updates where a page asks for them.
"use strict";

// A form whose button says data-confirm asks first (验收不通过, 不予受理 …).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// 打印 on the congress report: the browser's print dialog (the print stylesheet drops the frame).
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
