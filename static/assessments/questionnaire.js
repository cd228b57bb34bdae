// Questionnaire behaviours: autosave of answers and the evidence kind switch.
// Without this script every form still works as a plain POST; the page
// comes back at the requirement's anchor.
(function () {
  "use strict";

  var root = document.querySelector(".questionnaire");
  var texts = root ? root.dataset : {};

  // Write the figures of a reading into the elements naming them, such as
  // data-figure="area.level" or, with prefix "verified.", the verified one.
  function setFigures(summary, prefix) {
    Object.keys(summary).forEach(function (group) {
      Object.keys(summary[group]).forEach(function (key) {
        var value = summary[group][key];
        var name = (prefix || "") + group + "." + key;
        var nodes = document.querySelectorAll('[data-figure="' + name + '"]');
        nodes.forEach(function (node) {
          if (node.tagName === "PROGRESS") {
            node.value = value === null ? 0 : value;
          } else if (node.dataset.format === "percent") {
            node.textContent = value === null ? "—" : Math.round(value * 100) + " %";
          } else {
            node.textContent = value;
          }
        });
      });
    });
  }

  // Write the counts of answers left to revise into the badges of the
  // modules and stages; a count of none takes the badge away.
  function setObjections(badges) {
    Object.keys(badges).forEach(function (code) {
      document.querySelectorAll('[data-objections="' + code + '"]').forEach(function (node) {
        if (badges[code].count) node.textContent = badges[code].label;
        else node.remove();
      });
    });
  }

  // Logging in again, in another tab, gives the session a new CSRF token;
  // the cookie holds the current one, the form the one the page came with.
  function currentCsrfToken(form) {
    var name = texts.csrfCookie || "csrftoken";
    var cookies = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < cookies.length; i++) {
      if (cookies[i].indexOf(name + "=") === 0) {
        return decodeURIComponent(cookies[i].slice(name.length + 1));
      }
    }
    return form.elements.csrfmiddlewaretoken.value;
  }

  var FIELDS = ["status", "justification"];

  // Whether two values of a field are the same once stored: the server
  // trims texts, and sends back the line breaks a form post carries.
  function sameValue(a, b) {
    function stored(value) {
      return String(value).replace(/\r\n?/g, "\n").trim();
    }
    return stored(a) === stored(b);
  }

  function AnswerForm(form) {
    this.form = form;
    this.state = form.querySelector("[data-save-state]");
    this.badge = form.closest("article").querySelector("[data-status-badge]");
    this.conflictBox = form.querySelector("[data-conflict]");
    this.inFlight = false;
    this.again = false;
    this.timer = null;
    this.theirs = null;
    this.theirFigures = null;
    // Whether the form holds what the server has not stored yet.
    this.dirty = false;
    // What the answer held at the version in the form: the fields that
    // differ from it are those the person changed.
    this.base = this.values();

    var self = this;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.save();
    });
    // Arrow keys move a closed select's choice, each move a change: a
    // choice made from the keyboard is saved once it settles, or when the
    // select loses focus; one picked from the list at once.
    var keyed = false;
    form.elements.status.addEventListener("keydown", function () {
      keyed = true;
    });
    form.elements.status.addEventListener("change", function () {
      self.dirty = true;
      clearTimeout(self.timer);
      self.timer = null;
      if (keyed) {
        keyed = false;
        self.show("unsaved", texts.textUnsaved);
        self.timer = setTimeout(function () { self.save(); }, 700);
      } else {
        self.save();
      }
    });
    form.elements.status.addEventListener("blur", function () {
      if (self.timer) {
        clearTimeout(self.timer);
        self.save();
      }
    });
    form.elements.justification.addEventListener("input", function () {
      self.dirty = true;
      self.show("unsaved", texts.textUnsaved);
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.save(); }, 1200);
    });
    form.elements.justification.addEventListener("blur", function () {
      if (self.timer) {
        clearTimeout(self.timer);
        self.save();
      }
    });
    form.querySelector("[data-conflict-take]").addEventListener("click", function () {
      self.takeTheirs();
    });
    form.querySelector("[data-conflict-keep]").addEventListener("click", function () {
      self.keepMine();
    });
  }

  AnswerForm.prototype.values = function () {
    var elements = this.form.elements;
    var values = {};
    FIELDS.forEach(function (name) {
      values[name] = elements[name].value;
    });
    return values;
  };

  AnswerForm.prototype.setBase = function (answer) {
    var base = {};
    FIELDS.forEach(function (name) {
      base[name] = answer[name];
    });
    this.base = base;
  };

  AnswerForm.prototype.show = function (kind, text) {
    this.state.className = "save-state save-state--" + kind;
    this.state.textContent = text || "";
  };

  AnswerForm.prototype.save = function () {
    var self = this;
    // A save now stands for the one a timer was waiting to make.
    clearTimeout(self.timer);
    self.timer = null;
    if (self.inFlight) {
      self.again = true;
      return;
    }
    self.inFlight = true;
    self.show("saving", texts.textSaving);
    var body = new FormData(self.form);
    body.set("csrfmiddlewaretoken", currentCsrfToken(self.form));
    // A refusal for a newer version then says what saving over it keeps.
    FIELDS.forEach(function (name) {
      body.set("base_" + name, self.base[name]);
    });
    fetch(self.form.action, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        // Signed out, the save is sent to the login page. Without JSON the
        // answer is an error page: a refused security token (403) once the
        // session's cookies are gone, or a server fault.
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          var signedOut = response.redirected && response.url.indexOf(texts.loginUrl) !== -1;
          var message = texts.textServerError;
          if (signedOut) message = texts.textSignedOut;
          else if (response.status === 403) message = texts.textExpired;
          return { status: response.status, data: { message: message }, errorPage: true };
        }
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        self.inFlight = false;
        if (result.errorPage) {
          self.again = false;
          self.show("failed", result.data.message);
        } else if (result.status === 200) {
          self.dirty = self.again || self.timer !== null;
          self.form.elements.version.value = result.data.answer.version;
          self.setBase(result.data.answer);
          self.conflictBox.hidden = true;
          // The reason an earlier save was refused no longer holds.
          var refusal = self.form.querySelector(".errorlist");
          if (refusal) refusal.remove();
          self.updateBadge(result.data.answer);
          if (result.data.objections) setObjections(result.data.objections);
          self.revealComments();
          // Figures come only when the save can have moved a level.
          if (result.data.summary) setFigures(result.data.summary);
          if (result.data.verified) setFigures(result.data.verified, "verified.");
          self.show("saved", texts.textSaved);
          if (self.again) {
            self.again = false;
            self.save();
          }
        } else if (result.status === 409) {
          self.again = false;
          self.theirs = result.data.answer;
          self.theirFigures = result.data;
          self.conflictBox.querySelector("[data-conflict-message]").textContent =
            result.data.error;
          self.conflictBox.hidden = false;
          self.show("conflict", texts.textConflict);
        } else {
          self.again = false;
          self.show(
            "failed",
            texts.textFailedBecause.replace("{reason}", result.data.error || result.status)
          );
        }
      })
      .catch(function () {
        self.inFlight = false;
        self.again = false;
        self.show("failed", texts.textFailed);
      });
  };

  AnswerForm.prototype.updateBadge = function (answer) {
    if (!this.badge) return;
    this.badge.className = "badge badge--" + (answer.status || "unanswered");
    this.badge.textContent = answer.status_label || texts.textNotAnswered;
    this.markMissingEvidence(answer.missing_evidence);
    this.markVerdict(answer.version);
  };

  // A satisfied answer without evidence is marked beside its status.
  AnswerForm.prototype.markMissingEvidence = function (missing) {
    var mark = this.badge.parentNode.querySelector("[data-no-evidence]");
    if (missing && !mark) {
      mark = document.createElement("span");
      mark.className = "badge badge--warning";
      mark.setAttribute("data-no-evidence", "");
      mark.textContent = texts.textNoEvidence;
      this.badge.after(mark);
    } else if (!missing && mark) {
      mark.remove();
    }
  };

  // A verdict given on an earlier version of the answer says so, as the
  // page does once reloaded.
  AnswerForm.prototype.markVerdict = function (version) {
    var article = this.form.closest("article");
    var verdict = article.querySelector("[data-verdict]");
    if (!verdict || String(version) === verdict.dataset.reviewedVersion) return;
    if (!verdict.classList.contains("badge--outdated")) {
      verdict.classList.add("badge--outdated");
      verdict.textContent += " · " + texts.textEarlierVersion;
    }
    var note = article.querySelector("[data-verdict-outdated]");
    if (note) note.hidden = false;
  };

  // The comments of a requirement answered for the first time, which the
  // page holds hidden until the answer exists.
  AnswerForm.prototype.revealComments = function () {
    var comments = this.form.closest("article").querySelector("[data-shown-once-answered]");
    if (comments) comments.hidden = false;
  };

  AnswerForm.prototype.takeTheirs = function () {
    this.dirty = false;
    if (!this.theirs) return;
    this.form.elements.status.value = this.theirs.status;
    this.form.elements.justification.value = this.theirs.justification;
    this.form.elements.version.value = this.theirs.version;
    this.setBase(this.theirs);
    this.updateBadge(this.theirs);
    if (this.theirs.version > 0) this.revealComments();
    if (this.theirFigures.summary) setFigures(this.theirFigures.summary);
    if (this.theirFigures.verified) setFigures(this.theirFigures.verified, "verified.");
    this.conflictBox.hidden = true;
    this.show("saved", texts.textSaved);
  };

  // Save over the newer version only the fields changed on this page; the
  // others take its values, shown in the form before it is saved.
  AnswerForm.prototype.keepMine = function () {
    if (!this.theirs) return;
    var elements = this.form.elements;
    var base = this.base;
    var theirs = this.theirs;
    FIELDS.forEach(function (name) {
      if (sameValue(elements[name].value, base[name])) elements[name].value = theirs[name];
    });
    this.setBase(theirs);
    elements.version.value = theirs.version;
    this.conflictBox.hidden = true;
    this.save();
  };

  var answerForms = [];
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    answerForms.push(new AnswerForm(form));
  });

  // Leaving the page with an answer not stored, say after the session ended,
  // asks first: the browser's own question, as no text can be given.
  window.addEventListener("beforeunload", function (event) {
    var unsaved = answerForms.some(function (answerForm) {
      return answerForm.dirty;
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Show only the fields of the chosen kind of new evidence.
  document.querySelectorAll("form[data-evidence-form]").forEach(function (form) {
    function sync() {
      var checked = form.querySelector('input[name="kind"]:checked');
      var kind = checked ? checked.value : "file";
      form.querySelectorAll("[data-kind]").forEach(function (field) {
        field.hidden = field.dataset.kind !== kind;
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") sync();
    });
    sync();
  });
})();
