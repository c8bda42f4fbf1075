// Ponte's staff console: sign in with Cognito, find an account, see it whole, act on it.
//
// Static files, no build step: this module, app.css, index.html, messages.json (every word, in pt-BR, es and en)
// and config.json (written when the console is published: the Cognito app client, the auth endpoint, the business's
// time zone). The staff API is on the same origin under /staff (CloudFront routes it to the HTTP API), so no CORS.
// Everything a person reads comes from messages.json; values from the API are put in the page as text, never as HTML.

const LOCALES = ["pt-BR", "es", "en"];
const TOKEN = "ponte.session"; // sessionStorage: the tokens live as long as the tab
const DRAFT = "ponte.draft"; // sessionStorage: an action's form as it was when the session expired on sending it
const state = { config: null, messages: null, locale: "pt-BR", session: null, account: null };

// Words, dates and money in the reader's locale.

function t(key, values = {}) {
  const words = state.messages[state.locale];
  const text = words[key] ?? words[`${key.split(".")[0]}.other`] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function known(prefix, code) {
  return t(`${prefix}.${code}`);
}

function formatDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
  const options = state.locale === "pt-BR"
    ? { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" }
    : { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat(state.locale, options).format(new Date(Date.UTC(year, month - 1, day)));
}

function formatMoment(iso) {
  if (!iso) return "";
  const options = {
    day: state.locale === "pt-BR" ? "2-digit" : "numeric",
    month: state.locale === "pt-BR" ? "2-digit" : "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: state.config.time_zone,
  };
  return new Intl.DateTimeFormat(state.locale, options).format(new Date(iso));
}

function digits(currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

function formatMoney(money) {
  if (!money) return "";
  const value = money.amount / 10 ** digits(money.currency);
  return new Intl.NumberFormat(state.locale, { style: "currency", currency: money.currency }).format(value);
}

function parseAmount(text, currency) {
  // "1.234,56" (pt-BR, es), "1,234.56" (en), or the point a phone's keypad gives whatever the language ("1500.50")
  // -> minor units. With both marks, the last is the decimal one; a lone mark is the decimal one unless three digits
  // follow it and it is the reader's grouping ("1.500" is 1500 in pt-BR); a repeated one groups thousands. Null when
  // it is not an amount the currency can hold (more decimals than it has, groups not of three).
  const decimal = new Intl.NumberFormat(state.locale).formatToParts(1.5).find((p) => p.type === "decimal").value;
  const plain = text.trim().replace(/[\s\u00a0]/g, "");
  if (!/^\d[\d.,]*$/.test(plain) || /[.,]$/.test(plain)) return null;
  const last = Math.max(plain.lastIndexOf("."), plain.lastIndexOf(","));
  let whole = plain;
  let fraction = "";
  if (last >= 0) {
    const mark = plain[last];
    const tail = plain.slice(last + 1);
    const both = plain.includes(".") && plain.includes(",");
    const once = plain.indexOf(mark) === last;
    if (both || (once && (mark === decimal || tail.length !== 3))) [whole, fraction] = [plain.slice(0, last), tail];
  }
  const groups = whole.split(/[.,]/);
  if (new Set(whole.replace(/\d/g, "")).size > 1) return null;
  if (groups.length > 1 && (groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) return null;
  const places = digits(currency);
  if (fraction.length > places) return null;
  return Number(groups.join("")) * 10 ** places + Number(fraction.padEnd(places, "0") || 0);
}

function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: state.config.time_zone }).format(new Date());
  return parts.slice(0, 10);
}

// The page, built from elements: text is always text.

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function show(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children);
}

function flash(message, kind = "info") {
  const box = document.getElementById("flash");
  box.textContent = message;
  box.className = kind;
  box.hidden = !message;
}

function translateChrome() {
  document.documentElement.lang = state.locale;
  document.title = t("ui.title");
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
  document.getElementById("language").value = state.locale;
}

// Signing in: Cognito's InitiateAuth (USER_PASSWORD_AUTH) and, on first sign-in, the new-password challenge.

async function cognito(target, body) {
  const answer = await fetch(state.config.auth_endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(body),
  }).catch(() => null); // no network: said as "not possible right now", not as the browser's words
  if (!answer) throw new Error("login_unavailable");
  const payload = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    const kind = String(payload.__type || "").split("#").pop();
    // A password that cannot be recovered by the user (an invitation never used, no verified e-mail): an admin's.
    const recovering = target === "ForgotPassword" || target === "ConfirmForgotPassword";
    if (recovering && (kind === "NotAuthorizedException" || kind === "InvalidParameterException")) throw new Error("recovery_refused");
    const refusals = {
      NotAuthorizedException: "login_failed",
      UserNotFoundException: "login_failed",
      InvalidPasswordException: "password_refused",
      PasswordResetRequiredException: "reset_required",
      CodeMismatchException: "code_wrong",
      ExpiredCodeException: "code_expired",
      LimitExceededException: "too_many_attempts",
      TooManyRequestsException: "too_many_attempts",
      TooManyFailedAttemptsException: "too_many_attempts",
    };
    throw new Error(refusals[kind] || "login_unavailable");
  }
  return payload;
}

function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function startSession(result) {
  const claims = claimsOf(result.IdToken);
  state.session = { token: result.IdToken, expires: claims.exp * 1000, name: claims.name || claims.email || "", sub: claims.sub };
  sessionStorage.setItem(TOKEN, JSON.stringify(state.session));
  chrome();
}

function loadSession() {
  const saved = JSON.parse(sessionStorage.getItem(TOKEN) || "null");
  state.session = saved && saved.expires > Date.now() + 30_000 ? saved : null;
}

function signOut(message) {
  state.lastSub = state.session?.sub; // whose a draft kept on the way out is
  sessionStorage.removeItem(TOKEN);
  if (!message) sessionStorage.removeItem(DRAFT); // signed out by hand: nothing kept for the next one
  state.session = null;
  chrome();
  loginScreen(message);
}

function chrome() {
  const signedIn = Boolean(state.session);
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("sign-out").hidden = !signedIn;
  document.getElementById("who").textContent = signedIn ? t("ui.signed_in_as", { name: state.session.name }) : "";
}

function loginScreen(message, kind = "error") {
  state.signingIn = null;
  flash(message || "", kind);
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const forgot = h("button", { type: "button", id: "forgot", class: "link", text: t("ui.forgot_password") });
  forgot.addEventListener("click", () => forgotScreen(email.value.trim()));
  authForm("login", [h("h1", { text: t("ui.title") }), h("label", {}, t("ui.email"), email), h("label", {}, t("ui.password"), password)],
    () => cognito("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: state.config.client_id,
      AuthParameters: { USERNAME: email.value.trim(), PASSWORD: password.value },
    }),
    email, forgot);
}

// A forgotten password, or one an admin reset (Cognito then refuses the sign-in with PasswordResetRequiredException
// and has already sent a code): Cognito's ForgotPassword sends a code to the verified e-mail, ConfirmForgotPassword
// sets the new password with it.
function forgotScreen(given) {
  state.signingIn = () => forgotScreen(given);
  flash("");
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, value: given });
  recoveryForm("forgot", [h("p", { text: t("ui.forgot_hint") }), h("label", {}, t("ui.email"), email)], "ui.send_code",
    () => cognito("ForgotPassword", { ClientId: state.config.client_id, Username: email.value.trim() }),
    (answer) => resetScreen(email.value.trim(), "ui.code_sent", { to: answer.CodeDeliveryDetails?.Destination || email.value.trim() }));
}

function resetScreen(username, key, values = {}) {
  state.signingIn = () => resetScreen(username, key, values);
  flash(t(key, values), "info");
  const code = h("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true });
  const password = h("input", { type: "password", name: "new-password", autocomplete: "new-password", minlength: 12, required: true });
  const again = h("button", { type: "button", id: "send-again", class: "link", text: t("ui.send_code_again") });
  again.addEventListener("click", () => forgotScreen(username));
  recoveryForm("reset", [h("p", { text: t("ui.reset_hint") }), h("label", {}, t("ui.code"), code),
    h("label", {}, t("ui.new_password"), password), again], "ui.save_password",
    () => cognito("ConfirmForgotPassword", {
      ClientId: state.config.client_id,
      Username: username,
      ConfirmationCode: code.value.trim(),
      Password: password.value,
    }),
    () => loginScreen(t("ui.password_changed"), "info"));
}

// A step of the recovery: `ask` calls Cognito, `then` takes its answer; a refusal is said in the reader's language.
function recoveryForm(id, children, submit, ask, then) {
  const back = h("button", { type: "button", class: "link", text: t("ui.back_to_sign_in") });
  back.addEventListener("click", () => loginScreen(""));
  const form = h("form", { class: "card narrow", id }, ...children, h("button", { type: "submit", text: t(submit) }), back);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      then(await ask());
    } catch (error) {
      flash(t(`ui.${error.message}`), "error");
    }
  });
  show(form);
}

function newPasswordScreen(username, session) {
  state.signingIn = () => newPasswordScreen(username, session);
  const password = h("input", { type: "password", name: "new-password", autocomplete: "new-password", minlength: 12, required: true });
  authForm("new-password", [h("p", { id: "new-password-hint", text: t("ui.new_password_hint") }),
    h("label", {}, t("ui.new_password"), password)],
    () => cognito("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: state.config.client_id,
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password.value },
    }));
}

// A sign-in step: `ask` calls Cognito; the answer is a session, or (first sign-in) the new-password challenge.
function authForm(id, children, ask, email, ...after) {
  const form = h("form", { class: "card narrow", id }, ...children, h("button", { type: "submit", text: t("ui.sign_in") }), ...after);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await ask();
      if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") return newPasswordScreen(email.value.trim(), answer.Session);
      flash("");
      startSession(answer.AuthenticationResult);
      route();
    } catch (error) {
      // Cognito's session for the new password lasts minutes: past it, the sign-in starts again.
      if (id === "new-password" && error.message === "login_failed") return loginScreen(t("ui.session_expired"));
      if (error.message === "reset_required" && email) return resetScreen(email.value.trim(), "ui.reset_required");
      flash(t(`ui.${error.message}`), "error");
    }
  });
  show(form);
}

// The staff API.

class Refusal extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  if (!state.session || state.session.expires < Date.now()) {
    signOut(t("ui.session_expired"));
    throw new Refusal(401, {});
  }
  const answer = await fetch(`${state.config.api || ""}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${state.session.token}`,
      "Content-Type": "application/json",
      "Accept-Language": state.locale,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await answer.json().catch(() => ({}));
  if (answer.status === 401) {
    signOut(t("ui.session_expired"));
    throw new Refusal(401, payload);
  }
  if (!answer.ok) throw new Refusal(answer.status, payload);
  return payload;
}

function refusalText(refusal) {
  // A refusal of no field in the form (the account's status, the contact as a whole) says what is wrong instead.
  const field = refusal.body.field || "other";
  if (refusal.status === 400 && state.messages[state.locale][`refused.${field}`]) return t(`refused.${field}`);
  if (refusal.status === 400) return t("ui.invalid", { field: t(`field.${field}`) });
  if (refusal.status === 403) return t("ui.forbidden");
  if (refusal.status === 404) return t("ui.not_found");
  if (refusal.status === 409) return t("ui.stale");
  return t("ui.failed");
}

// Screens: search, the overdue book, an account.

function statusBadge(status) {
  return h("span", { class: `badge ${status}`, text: known("status", status) });
}

function accountLink(line) {
  return h("a", { href: `#/account/${encodeURIComponent(line.account_id)}`, text: line.name });
}

async function searchScreen(query) {
  const input = h("input", { type: "search", name: "q", value: query, placeholder: t("ui.search_placeholder"), "aria-label": t("ui.search_placeholder"), autofocus: true });
  const results = h("div", { id: "results" });
  const form = h("form", { class: "search", id: "search" }, input, h("button", { type: "submit", text: t("ui.search") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/?q=${encodeURIComponent(input.value.trim())}`;
  });
  show(h("section", { class: "card" }, h("h1", { text: t("ui.search") }), form, results));
  if (query.trim().length < 2) {
    results.append(h("p", { class: "muted", text: t("ui.search_hint") }));
    return;
  }
  await searchPage(query, null, results);
}

async function searchPage(query, cursor, results) {
  const page = await api("GET", `/staff/accounts?q=${encodeURIComponent(query)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  if (!cursor && page.accounts.length === 0) results.append(h("p", { class: "muted", text: t("ui.no_results") }));
  const list = h("ul", { class: "lines" });
  for (const line of page.accounts) {
    list.append(h("li", {}, accountLink(line), " ", statusBadge(line.status), h("span", { class: "muted", text: ` · ${line.owner_name || line.owner || t("ui.no_owner")}` })));
  }
  results.append(list);
  if (page.cursor) {
    const more = h("button", { type: "button", class: "link", text: t("ui.more") });
    more.addEventListener("click", () => paged(more, async () => { await searchPage(query, page.cursor, results); return false; }));
    results.append(more);
  }
}

const AGES = ["1-15", "16-30", "31-60", "61+"]; // the overdue book's age buckets (services/digest.py BUCKETS)

async function bookScreen(filters) {
  let owner = h("input", { name: "owner", value: filters.get("owner") || "" });
  const status = h("select", { name: "status" }, h("option", { value: "", text: t("ui.all") }),
    ["overdue", "suspended"].map((s) => h("option", { value: s, text: known("status", s), selected: filters.get("status") === s })));
  const age = h("select", { name: "age" }, h("option", { value: "", text: t("ui.all") }),
    AGES.map((a) => h("option", { value: a, text: t("age.label", { range: a }), selected: filters.get("age") === a })));
  const form = h("form", { class: "filters", id: "book-filters" },
    h("label", {}, t("ui.filter_owner"), owner), h("label", {}, t("ui.filter_status"), status),
    h("label", {}, t("ui.filter_age"), age), h("button", { type: "submit", text: t("ui.apply") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const [name, value] of [["owner", owner.value.trim()], ["status", status.value], ["age", age.value]]) if (value) chosen.set(name, value);
    location.hash = `#/book?${chosen}`;
  });
  const table = h("div", { id: "book" });
  show(h("section", { class: "card" }, h("h1", { text: t("ui.book") }), form, table));
  const first = await bookPage(filters, null, table);
  if (first.people?.length) {
    // The people whose accounts the reader may see, by name: a select in place of the id typed.
    const chosen = filters.get("owner") || "";
    // An owner the link names who is not among them (someone who has left, a team): kept, chosen, by the name known.
    const named = chosen && !first.people.some((p) => p.id === chosen)
      ? [{ id: chosen, name: first.accounts.find((line) => line.owner === chosen)?.owner_name || chosen }] : [];
    const select = h("select", { name: "owner" }, h("option", { value: "", text: t("ui.all_owners") }),
      [...first.people, ...named].map((p) => h("option", { value: p.id, text: p.name, selected: p.id === chosen })));
    owner.replaceWith(select);
    owner = select;
  }
}

async function bookPage(filters, cursor, table) {
  const query = new URLSearchParams(filters);
  if (cursor) query.set("cursor", cursor);
  const page = await api("GET", `/staff/book?${query}`);
  if (!cursor && page.accounts.length === 0) table.append(h("p", { class: "muted", text: t("ui.book_empty") }));
  const list = h("ul", { class: "lines" });
  for (const line of page.accounts) {
    list.append(h("li", {}, accountLink(line), " ", statusBadge(line.status),
      h("span", { class: "muted", text: ` · ${line.owner_name || line.owner || t("ui.no_owner")} · ${t("ui.days_late")}: ${line.days_late ?? "—"}` +
        (line.overdue_since ? ` · ${t("ui.overdue_since")} ${formatDate(line.overdue_since)}` : "") })));
  }
  table.append(list);
  if (page.cursor) {
    const more = h("button", { type: "button", class: "link", text: t("ui.more") });
    more.addEventListener("click", () => paged(more, async () => { await bookPage(filters, page.cursor, table); return false; }));
    table.append(more);
  }
  return page;
}

async function accountScreen(accountId) {
  const view = await api("GET", `/staff/accounts/${encodeURIComponent(accountId)}`);
  if (view.account_id === accountId) {
    renderAccount(view);
    return restoreDraft(view);
  }
  // A link (an alert's) to an account merged since into another: this one is the customer's now.
  history.replaceState(null, "", `#/account/${encodeURIComponent(view.account_id)}`);
  renderAccount(view, { text: t("ui.merged_here"), kind: "info" });
  restoreDraft(view, accountId); // a form written on the account as it was, for the one it is part of now
}

// An action sent after the session expired is not lost: its form is kept for the tab, and filled in again once the
// reader has signed in and is back on the account, to check and send.
// Kept for the one who wrote it, for an hour: someone else signing in on the same tab gets nothing of it.
const DRAFT_KEPT_MS = 3600_000;

function keepDraft(accountId, action, form, body) {
  // An action's form as written; a reason asked in the page (an acknowledgement, a reveal) as sent.
  const fields = form ? {} : { reason: body.reason, notification_id: body.notification_id };
  if (form) for (const [name, value] of new FormData(form)) fields[name] = String(value);
  const by = state.lastSub || "";
  sessionStorage.setItem(DRAFT, JSON.stringify({ accountId, action, fields, by, at: Date.now() }));
}

function restoreDraft(view, asked = view.account_id) {
  const draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
  const chooser = document.getElementById("action");
  if (draft && (draft.by !== (state.session?.sub || "") || !(Date.now() - draft.at < DRAFT_KEPT_MS))) {
    sessionStorage.removeItem(DRAFT); // another reader's, or too old to send as it was
    return;
  }
  if (!draft || ![view.account_id, asked].includes(draft.accountId) || !chooser) return;
  sessionStorage.removeItem(DRAFT);
  if (draft.action === "acknowledge") return restoreAcknowledgement(draft);
  if (draft.action === "reveal") return restoreAsked(document.getElementById("reveal"), draft);
  if (![...chooser.options].some((option) => option.value === draft.action)) {
    // The account no longer admits it (or the reader may no longer do it): what was written is shown, not lost.
    return flash(t("ui.draft_not_offered", { text: draft.fields.reason || "" }), "error");
  }
  chooser.value = draft.action;
  const form = document.getElementById("act");
  buildActionForm(form, draft.action, state.account);
  for (const [name, value] of Object.entries(draft.fields)) {
    const field = form.elements.namedItem(name);
    if (field && "value" in field) field.value = value;
  }
  const merged = asked !== view.account_id ? document.getElementById("flash").textContent : ""; // said too
  flash(merged ? `${merged} ${t("ui.draft_kept")}` : t("ui.draft_kept"), "info");
  form.scrollIntoView({ block: "nearest" });
}

function section(title, id, ...content) {
  return h("section", { class: "card", id }, h("h2", { text: title }), ...content);
}

function renderAccount(view, notice) {
  // A 409's view carries no `may` nor `people`: the reader's groups, and the directory, are as for the view before.
  state.account = { ...view, may: view.may || state.account?.may || [], people: view.people || state.account?.people || [] };
  view = state.account;
  const owed = view.owed.length ? view.owed.map(formatMoney).join(" + ") : t("ui.nothing_owed");
  const header = h("section", { class: "card head", id: "account" },
    h("h1", {}, h("span", { class: "name", text: view.name }), " ", statusBadge(view.status)),
    h("p", {}, h("strong", { text: `${t("ui.owed")}: ` }), owed,
      view.credit.length ? ` · ${t("ui.credit")}: ${view.credit.map(formatMoney).join(" + ")}` : ""),
    h("p", { class: "muted", text: `${t("ui.owner")}: ${view.owner_name || view.owner || t("ui.no_owner")}` }));
  show(header, planSection(view), actionsSection(view), contactSection(view), invoicesSection(view), holdsSection(view),
    alertsSection(view), noticesSection(view), paymentsSection(view), timelineSection(view));
  if (notice) flash(notice.text, notice.kind);
}

function planSection(view) {
  const plan = view.plan;
  if (!plan.steps.length) return section(t("ui.plan"), "plan", h("p", { text: t(view.owed.length ? "ui.plan_done" : "ui.plan_empty") }));
  const steps = h("ol", { class: "plan" });
  for (const step of plan.steps) {
    const when = t("ui.step_on", { step: known("step", step.kind), date: formatDate(step.on) });
    steps.append(h("li", {}, h("strong", { text: when }),
      step.deadline && step.kind !== "hand_off" ? h("span", { class: "muted", text: ` (${t("ui.pay_by", { date: formatDate(step.deadline) })})` }) : ""));
  }
  return section(t("ui.plan"), "plan", h("p", { class: "muted", text: t("ui.plan_if_unpaid") }), steps);
}

// Each action's fields: [name, label, kind, options]. The reason is always asked for.
function actionFields(action, view) {
  const openInvoices = view.invoices.filter((i) => i.status === "open").map((i) => [i.invoice_key, i.label]);
  if (openInvoices.length > 1) openInvoices.unshift(["", "—"]);
  const currencies = view.owed.length ? view.owed.map((m) => m.currency) : [view.invoices[0]?.total.currency || "BRL"];
  const fields = {
    promise_to_pay: [["until", "ui.until", "date"], ["amount", "ui.amount_optional", "money", { optional: true, currencies }]],
    dispute: [["invoice_key", "ui.invoice", "select", { choices: openInvoices }], ["until", "ui.until", "date"]],
    extend: [["days", "ui.business_days", "number"]],
    exempt: [["until", "ui.until", "date"]],
    reactivate: [],
    offline_payment: [["amount", "ui.amount", "money", { currencies }], ["received_on", "ui.received_on", "date", { value: today() }],
      ["method", "ui.method", "select", { choices: ["pix", "boleto", "bank_transfer", "cash", "card", "other"].map((m) => [m, known("method", m)]) }],
      ["invoice_key", "ui.invoice_optional", "select", { choices: [["", "—"], ...openInvoices.filter(([key]) => key)], optional: true }],
      ["reference", "ui.reference", "text", { optional: true }]],
    write_off: [["invoice_key", "ui.invoice", "select", { choices: openInvoices }]],
    contact: [["name", "ui.contact_name", "text", { optional: true }], ["email", "ui.email", "email", { optional: true }],
      ["phone", "ui.phone", "tel", { optional: true }]],
    // By name from the directory's people when there is a directory; by id otherwise.
    owner: view.people?.length
      ? [["owner", "ui.new_owner", "select", { choices: [["", "—"], ...view.people.map((p) => [p.id, p.name])] }]]
      : [["owner", "ui.new_owner", "text"]],
    note: [],
  };
  return fields[action];
}

function fieldInput(name, kind, options = {}) {
  if (kind === "select") return h("select", { name, required: !options.optional }, options.choices.map(([value, label]) => h("option", { value, text: label })));
  if (kind === "money") {
    return h("span", { class: "money" },
      h("input", { name, inputmode: "decimal", required: !options.optional }),
      h("select", { name: `${name}_currency`, "aria-label": t("ui.currency") }, options.currencies.map((c) => h("option", { value: c, text: c }))));
  }
  const type = { date: "date", number: "number", email: "email", tel: "tel" }[kind] || "text";
  return h("input", { name, type, value: options.value, required: !options.optional, min: kind === "number" ? 1 : null });
}

// What the account admits now, as the staff API would judge it: offering more only earns a refusal after the form.
function admitted(view) {
  const owing = view.invoices.some((i) => i.status === "open");
  const deadline = view.plan.steps.some((s) => s.deadline) || view.plan.due_now.some((d) => d.startsWith("suspend"));
  return {
    promise_to_pay: view.owed.length > 0,
    extend: deadline,
    dispute: owing,
    write_off: owing,
    reactivate: view.status === "suspended",
  };
}

function actionsSection(view) {
  const admits = admitted(view);
  const offered = ["promise_to_pay", "extend", "dispute", "exempt", "reactivate", "offline_payment", "write_off", "contact", "owner", "note"]
    .filter((a) => view.may.includes(a) && admits[a] !== false);
  const chooser = h("select", { name: "action", id: "action", "aria-label": t("ui.choose_action") },
    h("option", { value: "", text: t("ui.choose_action") }), offered.map((a) => h("option", { value: a, text: known("action", a) })));
  const form = h("form", { id: "act", class: "act" });
  chooser.addEventListener("change", () => buildActionForm(form, chooser.value, view));
  return section(t("ui.actions"), "actions", chooser, form);
}

function buildActionForm(form, action, view) {
  form.replaceChildren();
  if (!action) return;
  const fields = actionFields(action, view);
  for (const [name, label, kind, options] of fields) form.append(h("label", {}, t(label), fieldInput(name, kind, options)));
  form.append(h("label", {}, t(action === "note" ? "ui.note_text" : "ui.reason"), h("textarea", { name: "reason", required: true, maxlength: action === "note" ? 2000 : 500, rows: 2 })));
  form.append(h("button", { type: "submit", text: t("ui.act") }));
  form.onsubmit = async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { expected_version: view.version, reason: String(data.get("reason") || "").trim() };
    for (const [name, , kind] of fields) {
      const value = String(data.get(name) ?? "").trim();
      if (!value) continue;
      if (kind === "money") {
        const currency = String(data.get(`${name}_currency`));
        const amount = parseAmount(value, currency);
        if (amount === null) return refuseField(form, name, t("ui.invalid", { field: t(`field.${name}`) }));
        body[name] = { amount, currency };
      } else body[name] = kind === "number" ? Number(value) : value;
    }
    await submitAction(view, action, body, form);
  };
}

// A refused field is marked and focused where the reader is typing; the words go to the flash (read out too).
function refuseField(form, name, text) {
  flash(text, "error");
  const field = form && name ? form.querySelector(`[name="${name.split(".")[0]}"]`) : null;
  if (!field) return document.getElementById("flash").scrollIntoView({ block: "nearest" });
  for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

async function submitAction(view, action, body, form) {
  flash("");
  try {
    const after = await api("POST", `/staff/accounts/${encodeURIComponent(view.account_id)}/actions/${action}`, body);
    renderAccount(after, { text: t("ui.done"), kind: "ok" });
  } catch (refusal) {
    if (!(refusal instanceof Refusal)) throw refusal;
    if (refusal.status === 409 && refusal.body.view) {
      const merged = refusal.body.view.account_id !== view.account_id;
      if (merged) history.replaceState(null, "", `#/account/${encodeURIComponent(refusal.body.view.account_id)}`);
      renderAccount(refusal.body.view, { text: t(merged ? "ui.merged_stale" : "ui.stale"), kind: "error" });
    } else if (refusal.status === 401) keepDraft(view.account_id, action, form, body);
    else refuseField(form, refusal.status === 400 ? refusal.body.field : null, refusalText(refusal));
  }
}

function contactSection(view) {
  const contact = view.contact;
  const lines = h("p", { id: "contact-lines" }, contact.name, h("br"), contact.email || "", contact.email && contact.phone ? " · " : "", contact.phone || "",
    view.tax_id ? h("span", {}, h("br"), `${t("ui.tax_id")}: ${view.tax_id}`) : "");
  const unreachable = contact.unreachable.length
    ? h("p", { class: "warning", text: t("ui.unreachable", { channels: contact.unreachable.map((c) => known("channel", c)).join(", ") }) }) : "";
  const reveal = h("button", { type: "button", class: "link", id: "reveal", text: t("ui.reveal") });
  reveal.addEventListener("click", () => askReason(reveal, t("ui.reveal_reason"), async (reason) => {
    try {
      const full = await api("POST", `/staff/accounts/${encodeURIComponent(view.account_id)}/contact/reveal`, { reason });
      lines.replaceChildren(full.name, h("br"), full.email || "", full.email && full.phone ? " · " : "", full.phone || "",
        full.tax_id ? h("span", {}, h("br"), `${t("ui.tax_id")}: ${full.tax_id}`) : "");
      reveal.remove();
    } catch (refusal) {
      if (refusal instanceof Refusal && refusal.status === 401) keepDraft(view.account_id, "reveal", null, { reason });
      else if (refusal instanceof Refusal) flash(refusalText(refusal), "error");
    }
  }));
  return section(t("ui.contact"), "contact", lines, unreachable, reveal);
}

function invoicesSection(view) {
  if (!view.invoices.length) return section(t("ui.invoices"), "invoices", h("p", { class: "muted", text: t("ui.no_invoices") }));
  // What is owed first; the paid, cancelled and written-off ones (years of them, for an old customer) folded below.
  const open = view.invoices.filter((i) => i.status === "open");
  const closed = view.invoices.filter((i) => i.status !== "open");
  const content = [open.length ? invoiceList(open) : h("p", { class: "muted", text: t("ui.nothing_owed") })];
  if (closed.length) content.push(h("details", {}, h("summary", { text: t("ui.closed_invoices", { n: closed.length }) }), invoiceList(closed)));
  return section(t("ui.invoices"), "invoices", ...content);
}

function invoiceList(invoices) {
  const list = h("ul", { class: "lines" });
  for (const invoice of invoices) {
    const marks = [known("invoice", invoice.status)];
    if (invoice.disputed) marks.push(t("invoice.disputed"));
    if (invoice.held_until) marks.push(t("invoice.held_until", { date: formatDate(invoice.held_until) }));
    const installments = h("ul", { class: "sub" }, invoice.installments.map((part) => h("li", {},
      invoice.installments.length > 1 ? `${t("ui.installment", { n: part.installment })}: ` : "",
      part.effective_due_date
        ? t("ui.due_moved", { date: formatDate(part.due_date), moved: formatDate(part.effective_due_date) })
        : t("ui.due", { date: formatDate(part.due_date) }), " · ",
      part.outstanding.amount ? t("ui.outstanding", { amount: formatMoney(part.outstanding) }) : known("invoice", invoice.status),
      part.days_late > 0 ? ` · ${t("ui.days_late")}: ${part.days_late}` : "",
      part.late_fee ? ` · ${t("ui.late_fee", { amount: formatMoney(part.late_fee) })}` : "",
      part.interest ? ` · ${t("ui.interest", { amount: formatMoney(part.interest) })}` : "")));
    list.append(h("li", {}, h("strong", { text: invoice.label }), ` · ${formatMoney(invoice.total)} · ${marks.join(" · ")}`,
      invoice.payment_url ? h("span", {}, " · ", h("a", { href: invoice.payment_url, rel: "noopener noreferrer", target: "_blank", text: t("ui.pay_link") })) : "",
      invoice.bank_slip ? h("span", { class: "muted", text: ` · ${t("ui.bank_slip")}: ${invoice.bank_slip}` }) : "",
      installments));
  }
  return list;
}

function holdsSection(view) {
  if (!view.holds.length) return section(t("ui.holds"), "holds", h("p", { class: "muted", text: t("ui.no_holds") }));
  const list = h("ul", { class: "lines" });
  for (const hold of view.holds) {
    const invoice = hold.invoice_key ? view.invoices.find((i) => i.invoice_key === hold.invoice_key) : null;
    list.append(h("li", { class: hold.active ? "" : "muted" }, h("strong", { text: known("hold", hold.kind) }),
      invoice ? ` · ${invoice.label}` : "",
      hold.until ? ` · ${t("ui.until")} ${formatDate(hold.until)}` : "",
      hold.days ? ` · ${hold.days} ${t("ui.business_days").toLowerCase()}` : "",
      hold.amount ? ` · ${formatMoney(hold.amount)}` : "",
      hold.set_by_name ? ` · ${t("ui.set_by", { name: hold.set_by_name, date: formatMoment(hold.set_at) })}` : "",
      hold.by_hand ? ` · ${t("ui.set_by_hand")}` : "",
      hold.reason && !hold.by_hand ? h("q", { text: hold.reason }) : "",
      hold.active ? "" : ` · ${t("ui.ended")}`));
  }
  return section(t("ui.holds"), "holds", list);
}

// A reason asked for in the page, beside the button that needs it: a mail app's in-app browser, where an alert's
// link opens, may block window.prompt().
function askReason(button, label, then) {
  if (button.nextElementSibling?.classList.contains("ask")) return button.nextElementSibling.querySelector("textarea").focus();
  const reason = h("textarea", { name: "reason", required: true, maxlength: 500, rows: 2 });
  const cancel = h("button", { type: "button", class: "link", text: t("ui.cancel") });
  const form = h("form", { class: "ask" }, h("label", {}, label, reason), h("button", { type: "submit", text: t("ui.act") }), cancel);
  cancel.addEventListener("click", () => form.remove());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (!text) return reason.focus();
    form.remove();
    then(text);
  });
  button.after(form);
  reason.focus();
}

function restoreAcknowledgement(draft) {
  const button = [...document.querySelectorAll("#alerts button[data-notification]")]
    .find((candidate) => candidate.dataset.notification === draft.fields.notification_id);
  restoreAsked(button, draft);
}

// A reason asked in the page (an alert's acknowledgement, a contact's reveal), given back on its button; one no longer
// there (acknowledged meanwhile) is shown with what was written.
function restoreAsked(button, draft) {
  if (!button) return flash(t("ui.draft_not_offered", { text: draft.fields.reason || "" }), "error");
  button.click();
  button.nextElementSibling.querySelector("textarea").value = draft.fields.reason || "";
  flash(t("ui.draft_kept"), "info");
}

function alertsSection(view) {
  if (!view.alerts.length) return section(t("ui.alerts"), "alerts", h("p", { class: "muted", text: t("ui.no_alerts") }));
  const list = h("ul", { class: "lines" });
  for (const alert of view.alerts) {
    const item = h("li", {}, h("strong", { text: known("event", alert.event_type) }),
      alert.severity === "critical" ? h("span", { class: "badge suspended", text: t("ui.severity_critical") }) : "",
      ` · ${formatMoment(alert.occurred_at)}`);
    if (alert.acknowledged) {
      item.append(h("span", { class: "muted", text: ` · ${t("ui.acknowledged_by", { name: alert.acknowledged.by_name, date: formatMoment(alert.acknowledged.at) })}` }));
    } else {
      const button = h("button", { type: "button", class: "small", text: t("ui.acknowledge"), "data-notification": alert.notification_id });
      button.addEventListener("click", () => askReason(button, t("ui.reason"), (reason) =>
        submitAction(view, "acknowledge", { expected_version: view.version, reason, notification_id: alert.notification_id })));
      item.append(" ", button);
    }
    list.append(item);
  }
  return section(t("ui.alerts"), "alerts", list);
}

function noticesSection(view) {
  // The ladder records a hand-off or an alert to staff as it records a notice; they went to the team (the alerts and
  // the history say so), not to the customer: this list is what the customer was sent.
  const notices = view.notices.filter((notice) => !Object.keys(notice.channels).every((channel) => channel === "staff"));
  if (!notices.length) return section(t("ui.notices"), "notices", h("p", { class: "muted", text: t("ui.no_notices") }));
  const list = h("ul", { class: "lines" });
  for (const notice of notices) {
    const channels = Object.entries(notice.channels).map(([channel, outcome]) => `${known("channel", channel)}: ${known("outcome", outcome || "unknown")}`);
    list.append(h("li", {}, h("strong", { text: known("step", notice.kind || "other") }), ` · ${formatMoment(notice.sent_at)}`,
      notice.deadline ? ` · ${t("ui.pay_by", { date: formatDate(notice.deadline) })}` : "",
      h("span", { class: "muted", text: ` · ${channels.join(", ")}` })));
  }
  return section(t("ui.notices"), "notices", list);
}

function paymentsSection(view) {
  if (!view.payments.length) return section(t("ui.payments"), "payments", h("p", { class: "muted", text: t("ui.no_payments") }));
  const list = h("ul", { class: "lines" });
  for (const payment of view.payments) {
    const invoice = view.invoices.find((i) => i.invoice_key === payment.invoice_key);
    list.append(h("li", {}, h("strong", { text: formatMoney(payment.amount) }), ` · ${formatMoment(payment.received_at)}`,
      payment.method ? ` · ${known("method", payment.method)}` : "", invoice ? ` · ${invoice.label}` : "",
      payment.refunded ? ` · ${t("ui.refunded", { amount: formatMoney({ amount: payment.refunded, currency: payment.amount.currency }) })}` : "",
      payment.chargeback ? ` · ${t("ui.chargeback")}` : ""));
  }
  return section(t("ui.payments"), "payments", list);
}

// An amount as the history keeps it ("1500.00 BRL"), in the reader's format.
function factMoney(text) {
  const [value, currency] = String(text).split(" ");
  if (!currency || !/^-?\d+(\.\d+)?$/.test(value)) return "";
  return new Intl.NumberFormat(state.locale, { style: "currency", currency }).format(Number(value));
}

// The next page behind a "more" button (`load` answers whether there is yet another): the button goes once the
// last page is in; when a page fails, the reader is told and the button stays, to try again (a button that does
// nothing reads as "there is no more").
async function paged(button, load) {
  button.disabled = true;
  try {
    if (!(await load())) button.remove();
  } catch (refusal) {
    if (!(refusal instanceof Refusal)) flash(t("ui.failed"), "error");
    else if (refusal.status !== 401) flash(refusalText(refusal), "error");
  } finally {
    button.disabled = false;
  }
}

function timelineEntry(entry) {
  const staff = entry.what.startsWith("staff.");
  const title = staff ? known("action", entry.what.slice(6)) : known("what", entry.what);
  const facts = entry.facts || {};
  const details = [];
  if (facts.by_name) details.push(facts.by_name);
  // Invoices by the label the customer knows; a key the account no longer lists is left out, never shown.
  const invoice = facts.invoice ? (state.account?.invoices || []).find((i) => i.invoice_key === facts.invoice) : null;
  if (invoice) details.push(invoice.label);
  if (staff && facts.amount && factMoney(facts.amount)) details.push(factMoney(facts.amount));
  if (staff && facts.method) details.push(known("method", facts.method));
  if (staff && facts.days) details.push(`${facts.days} ${t("ui.business_days").toLowerCase()}`);
  if (facts.until) details.push(`${t("ui.until")} ${formatDate(String(facts.until))}`);
  if (facts.deadline) details.push(t("ui.pay_by", { date: formatDate(String(facts.deadline)) }));
  return h("li", {}, h("time", { datetime: entry.at, text: formatMoment(entry.at) }), " ", h("strong", { text: title }),
    details.length ? ` · ${details.join(" · ")}` : "", staff && entry.why ? h("q", { text: entry.why }) : "");
}

function timelineSection(view) {
  const list = h("ul", { class: "lines timeline", id: "timeline-lines" }, view.timeline.map(timelineEntry));
  const content = [list];
  if (view.timeline_cursor) {
    let cursor = view.timeline_cursor;
    const more = h("button", { type: "button", class: "link", text: t("ui.more") });
    more.addEventListener("click", () => paged(more, async () => {
      const page = await api("GET", `/staff/accounts/${encodeURIComponent(view.account_id)}/timeline?cursor=${encodeURIComponent(cursor)}`);
      list.append(...page.timeline.map(timelineEntry));
      cursor = page.cursor;
      return Boolean(cursor);
    }));
    content.push(more);
  }
  return section(t("ui.timeline"), "timeline", ...content);
}

// Routing: #/ (search), #/book, #/account/<id>.

async function route() {
  if (!state.session) return loginScreen();
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const parameters = new URLSearchParams(query || "");
  flash("");
  try {
    if (path.startsWith("/account/")) await accountScreen(decodeURIComponent(path.slice(9)));
    else if (path === "/book") await bookScreen(parameters);
    else await searchScreen(parameters.get("q") || "");
  } catch (refusal) {
    if (!(refusal instanceof Refusal)) {
      flash(t("ui.failed"), "error");
      throw refusal;
    }
    if (refusal.status !== 401) show(h("section", { class: "card" }, h("p", { text: refusalText(refusal) }), h("a", { href: "#/", text: t("ui.back") })));
  }
}

function chooseLocale() {
  const saved = localStorage.getItem("ponte.locale");
  if (LOCALES.includes(saved)) return saved;
  for (const wanted of navigator.languages || [navigator.language]) {
    const match = LOCALES.find((l) => l.toLowerCase() === wanted.toLowerCase()) || LOCALES.find((l) => l.split("-")[0] === wanted.split("-")[0].toLowerCase());
    if (match) return match;
  }
  return "pt-BR";
}

async function start() {
  const [config, messages] = await Promise.all([
    fetch("config.json").then((r) => r.json()),
    fetch("messages.json").then((r) => r.json()),
  ]);
  Object.assign(state, { config, messages, locale: chooseLocale() });
  loadSession();
  translateChrome();
  chrome();
  document.getElementById("language").addEventListener("change", (event) => {
    state.locale = event.target.value;
    localStorage.setItem("ponte.locale", state.locale);
    translateChrome();
    chrome();
    if (state.session && state.account && location.hash.startsWith("#/account/")) renderAccount(state.account);
    else if (!state.session && state.signingIn) state.signingIn(); // the sign-in step the reader is on, in words anew
    else route();
  });
  document.getElementById("sign-out").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", route);
  await route();
}

start();
