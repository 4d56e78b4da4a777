/**
 * The stand-in's web page: a copy of the Persona Bar's Settings > Servers > Server Settings >
 * SMTP Server tab (see docs/seed-configure-smtp-server.md). It works only through the same
 * API a client uses (GetSmtpSettings / UpdateSmtpSettings / SendTestEmail), authenticated
 * the way the browser UI is: forms-auth cookie + `RequestVerificationToken` header.
 * Embedded as a string so it works from the sources and from the compiled dist/standin/.
 *
 * Element ids are stable for browser tests: login-username, login-password, login-button,
 * scope-h, scope-p, smtpServer, smtpConnectionLimit, smtpMaxIdleTime,
 * messageSchedulerBatchSize, smtpAuthentication, authProvider, smtpUsername, smtpPassword,
 * enableSmtpSsl, smtpHostEmail, save, test, status.
 */

/** Renders the page for a site; `siteBase` is "" for the root site or "/shop". */
export function renderPage(siteBase: string, siteName: string): string {
  return PAGE_HTML.replace("__SITE_BASE__", JSON.stringify(siteBase)).replaceAll(
    "__SITE_NAME__",
    siteName.replace(/[<>&"]/g, ""),
  );
}

const PAGE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__SITE_NAME__ - Servers - SMTP Server</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:46rem;color:#222}
h1{font-size:1.3rem} .row{display:flex;gap:1rem;margin:.5rem 0;align-items:center}
.row label{width:16rem} input[type=text],input[type=password],select{flex:1;padding:.3rem}
.hidden{display:none} #status{margin-top:1rem;padding:.5rem;background:#f3f3f3;min-height:1.2rem}
.error{color:#b00}
</style></head>
<body>
<h1>Settings &gt; Servers &gt; Server Settings &gt; SMTP Server <small>(DNN stand-in: __SITE_NAME__)</small></h1>
<section id="login" class="hidden">
  <div class="row"><label for="login-username">Username</label><input type="text" id="login-username"></div>
  <div class="row"><label for="login-password">Password</label><input type="password" id="login-password"></div>
  <button id="login-button">Login</button>
</section>
<section id="settings" class="hidden">
  <div class="row"><label>SMTP Server Mode</label>
    <span><input type="radio" name="scope" id="scope-h" value="h"><label for="scope-h">Global</label>
    <input type="radio" name="scope" id="scope-p" value="p"><label for="scope-p">__SITE_NAME__</label></span></div>
  <div class="row"><label for="smtpServer">SMTP Server and Port</label><input type="text" id="smtpServer"></div>
  <div class="row"><label for="smtpConnectionLimit">Connection Limit</label><input type="text" id="smtpConnectionLimit"></div>
  <div class="row"><label for="smtpMaxIdleTime">Max Idle Time</label><input type="text" id="smtpMaxIdleTime"></div>
  <div class="row host-only"><label for="messageSchedulerBatchSize">Number of Messages Sent in Each Batch</label><input type="text" id="messageSchedulerBatchSize"></div>
  <div class="row"><label for="smtpAuthentication">SMTP Authentication</label>
    <select id="smtpAuthentication"><option value="0">Anonymous</option><option value="1">Basic</option><option value="2">NTLM</option></select></div>
  <div class="row hidden" id="authProviderRow"><label for="authProvider">OAuth Provider</label><select id="authProvider"></select></div>
  <div class="row"><label for="smtpUsername">SMTP Username</label><input type="text" id="smtpUsername"></div>
  <div class="row"><label for="smtpPassword">SMTP Password</label><input type="password" id="smtpPassword"></div>
  <div class="row"><label for="enableSmtpSsl">SMTP Enable SSL</label><input type="checkbox" id="enableSmtpSsl"></div>
  <div class="row host-only"><label for="smtpHostEmail">Host Email</label><input type="text" id="smtpHostEmail"></div>
  <div class="row"><button id="test">Test SMTP Settings</button><button id="save">Save</button></div>
</section>
<div id="status" role="status"></div>
<script>
(function () {
  var SITE = __SITE_BASE__;
  var controller = "ServerSettingsSmtpHost";
  var data = null;
  var $ = function (id) { return document.getElementById(id); };
  var NUMBER = /^(0|[1-9]\\d*)$/;
  function cookie(name) {
    var m = document.cookie.split("; ").find(function (c) { return c.indexOf(name + "=") === 0; });
    return m ? decodeURIComponent(m.slice(name.length + 1)) : "";
  }
  function status(text, isError) { $("status").textContent = text; $("status").className = isError ? "error" : ""; }
  function api(action, body) {
    var init = { credentials: "same-origin", headers: {} };
    if (body) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["RequestVerificationToken"] = cookie("__RequestVerificationToken");
      init.body = JSON.stringify(body);
    }
    return fetch(SITE + "/API/PersonaBar/" + controller + "/" + action, init).then(function (r) {
      return r.text().then(function (t) { var j = null; try { j = JSON.parse(t); } catch (e) {} return { status: r.status, body: j }; });
    });
  }
  function scope() { return $("scope-h").checked ? "h" : "p"; }
  function show() {
    var isHost = scope() === "h";
    var s = isHost ? data.host : data.site;
    document.querySelectorAll(".host-only").forEach(function (e) { e.classList.toggle("hidden", !isHost); });
    $("smtpServer").value = s.smtpServer || "";
    $("smtpConnectionLimit").value = s.smtpConnectionLimit;
    $("smtpMaxIdleTime").value = s.smtpMaxIdleTime;
    $("smtpAuthentication").value = String(s.smtpAuthentication || "0");
    $("authProvider").value = s.authProvider || "";
    $("authProviderRow").classList.toggle("hidden", $("smtpAuthentication").value !== "3");
    $("smtpUsername").value = s.smtpUserName || "";
    $("smtpPassword").value = s.smtpPassword || "";
    $("enableSmtpSsl").checked = !!s.enableSmtpSsl;
    if (isHost) { $("messageSchedulerBatchSize").value = s.messageSchedulerBatchSize; $("smtpHostEmail").value = s.smtpHostEmail || ""; }
    // DNN 9.2 has no Host Email in this API: no field, as its UI had none.
    if (isHost && !("smtpHostEmail" in s)) $("smtpHostEmail").parentElement.classList.add("hidden");
  }
  function form() {
    return {
      smtpServerMode: scope(), smtpServer: $("smtpServer").value,
      smtpConnectionLimit: $("smtpConnectionLimit").value, smtpMaxIdleTime: $("smtpMaxIdleTime").value,
      smtpAuthentication: parseInt($("smtpAuthentication").value, 10), smtpUsername: $("smtpUsername").value,
      smtpPassword: $("smtpPassword").value, smtpHostEmail: isHostScope() ? $("smtpHostEmail").value : data.host.smtpHostEmail,
      enableSmtpSsl: $("enableSmtpSsl").checked,
      messageSchedulerBatchSize: parseInt(isHostScope() ? $("messageSchedulerBatchSize").value : data.host.messageSchedulerBatchSize, 10) || 0,
      authProvider: $("authProvider").value, authProviderSettings: {}
    };
  }
  function isHostScope() { return scope() === "h" && controller === "ServerSettingsSmtpHost"; }
  function load() {
    return api("GetSmtpSettings").then(function (r) {
      if (r.status === 401 && controller === "ServerSettingsSmtpHost") { controller = "ServerSettingsSmtpAdmin"; return load(); }
      if (r.status === 401) { $("login").classList.remove("hidden"); $("settings").classList.add("hidden"); status("Please log in."); return; }
      if (r.status !== 200) { status("Could not load the settings (HTTP " + r.status + ").", true); return; }
      data = r.body;
      if (controller === "ServerSettingsSmtpAdmin") { $("scope-h").disabled = true; }
      if ("authProvider" in data.site && !$("smtpAuthentication").querySelector("option[value='3']")) {
        var o = document.createElement("option"); o.value = "3"; o.textContent = "OAuth"; $("smtpAuthentication").appendChild(o);
        api("GetSmtpOAuthProviders").then(function (p) {
          if (p.status !== 200) return;
          var e = document.createElement("option"); e.value = ""; e.textContent = "(none)"; $("authProvider").appendChild(e);
          p.body.site.forEach(function (x) { var o2 = document.createElement("option"); o2.value = x.name; o2.textContent = x.localizedName; $("authProvider").appendChild(o2); });
          show();
        });
      }
      $((data.smtpServerMode || "h").toLowerCase() === "p" ? "scope-p" : "scope-h").checked = true;
      $("login").classList.add("hidden"); $("settings").classList.remove("hidden");
      show(); status("Loaded.");
    });
  }
  function validate(body) {
    if (!NUMBER.test(body.smtpConnectionLimit)) return "Connection Limit must be a whole number.";
    if (!NUMBER.test(body.smtpMaxIdleTime)) return "Max Idle Time must be a whole number.";
    return "";
  }
  $("scope-h").addEventListener("change", show);
  $("scope-p").addEventListener("change", show);
  $("smtpAuthentication").addEventListener("change", function () {
    $("authProviderRow").classList.toggle("hidden", $("smtpAuthentication").value !== "3");
  });
  $("login-button").addEventListener("click", function () {
    fetch("/_standin/page/login", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("login-username").value, password: $("login-password").value }) })
      .then(function (r) { if (r.status !== 200) { status("Login failed.", true); return; } controller = "ServerSettingsSmtpHost"; return load(); });
  });
  $("save").addEventListener("click", function () {
    var body = form(); var problem = validate(body);
    if (problem) { status(problem, true); return; }
    status("Saving...");
    api("UpdateSmtpSettings", body).then(function (r) {
      if (r.status === 200 && r.body && r.body.success) { return load().then(function () { status("Saved."); }); }
      status("Save failed (HTTP " + r.status + "): " + JSON.stringify(r.body), true);
    });
  });
  $("test").addEventListener("click", function () {
    status("Sending a test email...");
    api("SendTestEmail", form()).then(function (r) {
      var b = r.body || {};
      status((b.success ? "" : "Test failed: ") + (b.confirmationMessage || "") + (b.errMessage ? " (" + b.errMessage + ")" : ""), !b.success);
    });
  });
  load();
})();
</script>
</body></html>
`;
