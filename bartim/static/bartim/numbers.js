// Beside every number input (helpers.forms.NumberTextInput), the value the server will read
// from what was typed, formatted as the pages show it: "Rp 250.000.000" reads as 250.000.000,
// "1.250" in an Indonesian decimal field as 1.250 (one thousand two hundred and fifty).
// A preview only: the rule is helpers.forms.read_typed_number's, and the server reads the
// input again and is the authority. The rule, with the separators of the page's language
// (the input's data-decimal-separator and data-thousand-separator): spaces and a leading
// "Rp" are dropped; then an optional "-", digits either ungrouped or grouped in threes by the
// thousands separator (the first group not starting with 0), and optionally the decimal
// separator and more digits.
(function () {
  function escapeForPattern(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function read(text, decimalSeparator, thousandSeparator) {
    var compact = text.replace(/[\s\u00a0\u2007\u202f]+/g, "");
    if (compact.slice(0, 2).toLowerCase() === "rp") {
      compact = compact.slice(2);
    }
    var negative = compact.charAt(0) === "-";
    if (negative) {
      compact = compact.slice(1);
    }
    var pattern = new RegExp(
      "^([1-9][0-9]{0,2}(?:" + escapeForPattern(thousandSeparator) + "[0-9]{3})+|[0-9]+)" +
        "(?:" + escapeForPattern(decimalSeparator) + "([0-9]+))?$"
    );
    var match = pattern.exec(compact);
    if (!match) {
      return null;
    }
    return {
      negative: negative,
      whole: match[1].replace(/[^0-9]/g, "").replace(/^0+(?=[0-9])/, ""),
      fraction: (match[2] || "").replace(/0+$/, ""),
    };
  }

  // Digits as strings, never a float: 1.250.000.000,75 stays exact.
  function format(number, decimalSeparator, thousandSeparator) {
    var grouped = number.whole.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, thousandSeparator);
    var sign = number.negative && (number.whole !== "0" || number.fraction) ? "-" : "";
    return sign + grouped + (number.fraction ? decimalSeparator + number.fraction : "");
  }

  function previewFor(input) {
    var preview = document.createElement("div");
    preview.className = "form-text number-preview";
    preview.id = input.id + "-preview";
    preview.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", preview);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + preview.id);
    return preview;
  }

  function show(input, preview) {
    var text = input.value.trim();
    if (!text) {
      preview.textContent = "";
      return;
    }
    var number = read(text, input.dataset.decimalSeparator, input.dataset.thousandSeparator);
    if (!number) {
      preview.textContent = input.dataset.previewInvalid;
    } else if (number.fraction && input.dataset.number === "numeric") {
      preview.textContent = input.dataset.previewFraction;
    } else {
      preview.textContent =
        input.dataset.previewLabel +
        " " +
        format(number, input.dataset.decimalSeparator, input.dataset.thousandSeparator);
    }
  }

  function previewOf(input) {
    return document.getElementById(input.id + "-preview") || previewFor(input);
  }

  document.querySelectorAll("input[data-number]").forEach(function (input) {
    show(input, previewOf(input));
  });
  // One listener for the whole page, so rows the admin adds later ("Add another") are
  // previewed too.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-number]")) {
      show(input, previewOf(input));
    }
  });
})();
