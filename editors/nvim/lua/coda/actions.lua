-- What each :Coda* command does: build the command argument, run it, render the result.
local client_mod = require("coda.client")
local output = require("coda.output")
local stream = require("coda.stream")

local M = {}

-- The session new questions go to (nil = the server's current one).
M.session_id = nil

-- Files (:CodaAttach) sent with the next ask/chat/explain: absolute paths, which the server
-- reads (an image needs a vision model; a PDF goes as its text). Cleared once answered.
M.pending = {}

function M.attach(paths)
  for _, raw in ipairs(paths) do
    local path = vim.fn.fnamemodify(vim.fn.expand(raw), ":p")
    if vim.fn.filereadable(path) ~= 1 then
      vim.notify("Coda: cannot attach " .. raw .. ": no such file", vim.log.levels.ERROR)
    elseif not vim.tbl_contains(M.pending, path) then
      table.insert(M.pending, path)
    end
  end
  local names = vim.tbl_map(function(p)
    return vim.fn.fnamemodify(p, ":t")
  end, M.pending)
  vim.notify("Coda: attached for the next question: "
    .. (#names > 0 and table.concat(names, ", ") or "none"), vim.log.levels.INFO)
end

local counter = 0
local function new_request_id()
  counter = counter + 1
  return string.format("nvim-%d-%x-%d", vim.fn.getpid(), os.time(), counter)
end

local function notify_error(what, err)
  local message = type(err) == "table" and err.message or tostring(err)
  local hint = type(err) == "table" and type(err.data) == "table" and err.data.hint or nil
  local text = string.format("Coda %s failed: %s", what, tostring(message))
  if hint and hint ~= vim.NIL then
    text = text .. "\nHint: " .. tostring(hint)
  end
  vim.notify(text, vim.log.levels.ERROR)
end

-- workspace/executeCommand with one object argument; on_result(result) on success.
function M.execute(bufnr, command, argument, on_result, on_error)
  client_mod.with_client(bufnr, function(client)
    if type(argument) ~= "table" or vim.tbl_isempty(argument) then
      argument = vim.empty_dict() -- {} would be encoded as [], which the server rejects
    end
    local params = { command = command, arguments = { argument } }
    client_mod.request(client, "workspace/executeCommand", params, function(err, result)
      if err then
        if on_error then
          on_error(err)
        end
        notify_error(command, err)
        return
      end
      if on_result then
        on_result(result or {}, client)
      end
    end, bufnr)
  end)
end

-- LSP range of buffer lines line1..line2 (1-based, inclusive), whole lines.
function M.line_range(line1, line2)
  return { start = { line = line1 - 1, character = 0 }, ["end"] = { line = line2, character = 0 } }
end

local function uri_of(bufnr)
  return vim.uri_from_bufnr(bufnr)
end

local function label(bufnr, range)
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":t")
  if range then
    return string.format("%s:%d-%d", name, range.start.line + 1,
      math.max(range["end"].line, range.start.line + 1))
  end
  return name
end

-- A streamed request: a section in the output, deltas routed by requestId, result rendered.
local function streamed(bufnr, command, argument, title)
  local id = new_request_id()
  argument.requestId = id
  if M.session_id and not argument.sessionId then
    argument.sessionId = M.session_id
  end
  stream.track(id, {})
  output.begin(id, title)
  local sent = M.pending
  if #sent > 0 and command ~= "coda.review" then
    argument.attachments = vim.tbl_map(function(path)
      return { path = path }
    end, sent)
  end
  M.execute(bufnr, command, argument, function(result)
    if argument.attachments then
      -- They went with this question; a refused one keeps them for the next try.
      M.pending = vim.tbl_filter(function(p)
        return not vim.tbl_contains(sent, p)
      end, M.pending)
    end
    local info = stream.requests[id] or {}
    if type(result.sessionId) == "string" then
      M.session_id = result.sessionId
    end
    -- Normally the text came through coda/stream; if nothing streamed, show the result.
    if output.received(id) == 0 and type(result.text) == "string" then
      output.append(id, result.text)
    end
    if not info.done then
      info.done = true
      output.finish(id, result.cancelled and "cancelled" or stream.usage_text(result.usage))
    end
  end, function(err)
    local info = stream.requests[id] or {}
    if not info.done then
      info.done = true
      output.finish(id, "error: " .. tostring(type(err) == "table" and err.message or err))
    end
  end)
  return id
end

function M.ask(bufnr, question, range)
  local argument = { question = question }
  if range then
    argument.uri = uri_of(bufnr)
    argument.range = range
  end
  return streamed(bufnr, "coda.ask", argument, question:gsub("\n", " "):sub(1, 80))
end

function M.chat(bufnr, question)
  return streamed(bufnr, "coda.chat", { question = question }, question:gsub("\n", " "):sub(1, 80))
end

function M.explain(bufnr, range, question)
  local argument = { uri = uri_of(bufnr), range = range, question = question }
  return streamed(bufnr, "coda.explain", argument, "Explain " .. label(bufnr, range))
end

-- Review: findings become diagnostics (published by the server); the output gets a summary.
function M.review(bufnr, range)
  local id = new_request_id()
  stream.track(id, { quiet = true })
  local title = "Review " .. label(bufnr, range)
  vim.notify("Coda: reviewing " .. label(bufnr, range) .. "…", vim.log.levels.INFO)
  local argument = { uri = uri_of(bufnr), range = range, requestId = id,
    sessionId = M.session_id }
  M.execute(bufnr, "coda.review", argument, function(result)
    stream.requests[id].done = true
    if result.cancelled then
      vim.notify("Coda: review cancelled", vim.log.levels.WARN)
      return
    end
    local findings = result.findings or {}
    local lines = { tostring(result.summary or ""), "" }
    for _, f in ipairs(findings) do
      table.insert(lines, string.format("- **%s** line %d–%d: %s", tostring(f.severity),
        f.start_line or 0, f.end_line or 0, tostring(f.message)))
    end
    output.begin(id, title)
    output.append(id, table.concat(lines, "\n"))
    output.finish(id, string.format("%d finding(s) — see the diagnostics; %s", #findings,
      stream.usage_text(result.usage) or ""))
    vim.notify(string.format("Coda: %d finding(s)", #findings), vim.log.levels.INFO)
  end, function()
    stream.requests[id].done = true
  end)
  return id
end

-- Refactor: the server answers with workspace/applyEdit (undo with `u`).
function M.refactor(bufnr, range, instruction)
  local id = new_request_id()
  stream.track(id, { quiet = true })
  vim.notify("Coda: refactoring " .. label(bufnr, range) .. "…", vim.log.levels.INFO)
  local argument = { uri = uri_of(bufnr), range = range, instruction = instruction,
    requestId = id, sessionId = M.session_id }
  M.execute(bufnr, "coda.refactor", argument, function(result)
    stream.requests[id].done = true
    if result.applied then
      vim.notify("Coda: " .. tostring(result.summary or "refactored") .. " (undo with u)",
        vim.log.levels.INFO)
    elseif result.cancelled then
      vim.notify("Coda: refactor cancelled", vim.log.levels.WARN)
    else
      vim.notify("Coda: nothing applied — " .. tostring(result.reason or result.summary or ""),
        vim.log.levels.WARN)
      -- An answer that was not an edit: show it rather than leave the user guessing.
      if type(result.text) == "string" and result.text ~= "" then
        output.begin(id, "Refactor " .. label(bufnr, range) .. " (no edit)")
        output.append(id, result.text)
        output.finish(id, "no edit was produced")
      end
    end
  end, function()
    stream.requests[id].done = true
  end)
  return id
end

function M.cancel(bufnr)
  local ids = stream.running()
  if #ids == 0 then
    vim.notify("Coda: nothing is running", vim.log.levels.INFO)
    return
  end
  for _, id in ipairs(ids) do
    M.execute(bufnr, "coda.cancel", { requestId = id })
  end
end

function M.set_model(bufnr, model, provider)
  M.execute(bufnr, "coda.setModel", { model = model, provider = provider }, function(result)
    vim.notify(string.format("Coda: model %s (%s)", tostring(result.model),
      tostring(result.provider ~= vim.NIL and result.provider or "auto")), vim.log.levels.INFO)
  end)
end

function M.pick_model(bufnr)
  M.execute(bufnr, "coda.models", vim.empty_dict(), function(result)
    local models = result.models or {}
    for _, u in ipairs(result.unreachable or {}) do
      vim.notify(string.format("Coda: %s unreachable: %s", tostring(u.provider),
        tostring(u.detail)), vim.log.levels.WARN)
    end
    if #models == 0 then
      vim.notify("Coda: no models found", vim.log.levels.WARN)
      return
    end
    local current = result.current or {}
    vim.ui.select(models, {
      prompt = "Coda model",
      format_item = function(m)
        local mark = (m.name == current.model and m.provider == current.provider) and " *" or ""
        return string.format("%s: %s%s", m.provider, m.name, mark)
      end,
    }, function(choice)
      if choice then
        M.set_model(bufnr, choice.name, choice.provider)
      end
    end)
  end)
end

function M.sessions(bufnr)
  M.execute(bufnr, "coda.sessions", vim.empty_dict(), function(result)
    local sessions = result.sessions or {}
    if #sessions == 0 then
      vim.notify("Coda: no sessions yet", vim.log.levels.INFO)
      return
    end
    local current = M.session_id or result.current
    vim.ui.select(sessions, {
      prompt = "Coda session",
      format_item = function(s)
        local title = (s.title and s.title ~= vim.NIL) and s.title or "(untitled)"
        return string.format("%s  %s%s", tostring(s.updated), title, s.id == current and " *" or "")
      end,
    }, function(choice)
      if choice then
        M.session_id = choice.id
        vim.notify("Coda: continuing session " .. tostring(choice.id), vim.log.levels.INFO)
      end
    end)
  end)
end

function M.new_session(bufnr, title)
  M.execute(bufnr, "coda.newSession", { title = title }, function(result)
    M.session_id = result.sessionId ~= vim.NIL and result.sessionId or nil
    vim.notify("Coda: new session " .. tostring(M.session_id or ""), vim.log.levels.INFO)
  end)
end

function M.repo_map(bufnr, tokens)
  local argument = { tokens = tokens, uri = vim.api.nvim_buf_get_name(bufnr) ~= ""
    and uri_of(bufnr) or nil }
  M.execute(bufnr, "coda.repoMap", argument, function(result)
    local id = new_request_id()
    output.begin(id, string.format("Repo map (%s tokens, %s files)", tostring(result.tokens),
      tostring(result.files)))
    output.append(id, "```\n" .. tostring(result.text or "") .. "\n```")
    output.finish(id, nil)
  end)
end

return M
