-- Drives the Coda plugin inside headless Neovim (0.7+) and writes what it saw to the JSON
-- file named by $NVIM_TEST_RESULT. Every wait has a timeout; the script always quits.
local result_path = assert(os.getenv("NVIM_TEST_RESULT"), "NVIM_TEST_RESULT not set")
local step_timeout = tonumber(os.getenv("NVIM_TEST_STEP_MS") or "15000")
local result = { steps = {}, notifications = {} }
local started = vim.loop.hrtime()

local function elapsed_ms()
  return math.floor((vim.loop.hrtime() - started) / 1e6)
end

local function write_and_quit()
  local file = io.open(result_path, "w")
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd("qall!")
end

-- Record notifications (errors from the plugin show up in the result, not on a screen).
vim.notify = function(msg, level)
  table.insert(result.notifications, { message = tostring(msg), level = level or 0 })
end

local function step(name, fn)
  local t0 = elapsed_ms()
  local ok, err = xpcall(fn, debug.traceback)
  local entry = { name = name, ok = ok, ms = elapsed_ms() - t0 }
  if not ok then
    entry.error = tostring(err)
  end
  table.insert(result.steps, entry)
  if not ok then
    error("step " .. name .. " failed", 0)
  end
end

local function wait_for(what, predicate)
  if not vim.wait(step_timeout, predicate, 20) then
    error("timed out waiting for " .. what)
  end
end

local function coda_diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "coda" then
      table.insert(found, { lnum = d.lnum, end_lnum = d.end_lnum, message = d.message,
        severity = d.severity })
    end
  end
  return found
end

local scenarios = {}

-- autostart; :'<,'>CodaExplain, :CodaReview, the quick fix, :CodaRefactor {instruction}.
function scenarios.main()
  local coda_client = require("coda.client")
  local output = require("coda.output")
  local stream = require("coda.stream")
  local bufnr = vim.api.nvim_get_current_buf()
  result.nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "."
    .. vim.version().patch
  result.file = vim.api.nvim_buf_get_name(bufnr)

  step("start", function()
    wait_for("coda-ls to initialize", function()
      local client = coda_client.get(bufnr)
      return client ~= nil and client.initialized == true
    end)
    result.root_dir = coda_client.get(bufnr).config.root_dir
  end)

  step("explain", function()
    vim.cmd("4,6CodaExplain")
    -- The request id is the one stream.track() registered for this command.
    local id = next(stream.requests)
    result.explain_request = id
    local seen = {}
    wait_for("the explanation to finish streaming", function()
      local text = table.concat(output.lines(), "\n")
      if seen[#seen] ~= text then
        table.insert(seen, text)
      end
      return stream.requests[id] and stream.requests[id].done == true
    end)
    result.explain_output = output.lines()
    result.explain_snapshots = seen
    result.output_filetype = vim.bo[output.buf].filetype
    result.output_visible = #vim.fn.win_findbuf(output.buf) > 0
    result.current_buffer_after_explain = vim.api.nvim_get_current_buf() == bufnr
  end)

  step("review", function()
    vim.cmd("CodaReview")
    wait_for("Coda diagnostics", function()
      return #coda_diagnostics(bufnr) > 0
    end)
    result.diagnostics = coda_diagnostics(bufnr)
  end)

  step("code_action_apply_suggestion", function()
    local diagnostic = result.diagnostics[1]
    vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, 0 })
    local titles = {}
    vim.ui.select = function(items, opts, on_choice)
      local chosen
      for i, item in ipairs(items) do
        local title = opts.format_item and opts.format_item(item) or tostring(item)
        table.insert(titles, title)
        if not chosen and title:find("Apply suggestion", 1, true) then
          chosen = i
        end
      end
      on_choice(chosen and items[chosen] or nil, chosen)
    end
    local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
    vim.lsp.buf.code_action()
    wait_for("the suggestion to be applied", function()
      return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") ~= before
    end)
    result.code_action_titles = titles
    result.after_suggestion = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    -- the server republishes the findings without the fixed one (issue #18)
    wait_for("the fixed finding's diagnostic to go", function()
      return #coda_diagnostics(bufnr) == #result.diagnostics - 1
    end)
    result.diagnostics_after_fix = coda_diagnostics(bufnr)
  end)

  step("refactor", function()
    local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
    vim.cmd("CodaRefactor swap the factors")
    wait_for("the refactor edit", function()
      return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") ~= before
    end)
    result.after_refactor = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    vim.cmd("silent undo")
    result.after_undo = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  end)

  step("code_action_refactor_prompts", function()
    vim.api.nvim_win_set_cursor(0, { 6, 0 })
    vim.ui.select = function(items, opts, on_choice)
      for i, item in ipairs(items) do
        if opts.format_item(item):find("Refactor", 1, true) then
          return on_choice(item, i)
        end
      end
      on_choice(nil, nil)
    end
    vim.ui.input = function(opts, on_confirm)
      result.refactor_prompt = { prompt = opts.prompt, default = opts.default }
      on_confirm("swap the factors again")
    end
    local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
    vim.lsp.buf.code_action()
    wait_for("the refactor edit", function()
      return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") ~= before
    end)
    result.after_action_refactor = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  end)

  step("refactor_without_edit", function()
    local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
    local notified = #result.notifications
    vim.cmd("5,6CodaRefactor vectorize it")
    wait_for("the no-edit warning", function()
      for i = notified + 1, #result.notifications do
        if result.notifications[i].message:find("nothing applied", 1, true) then
          return true
        end
      end
      return false
    end)
    result.no_edit_output = output.lines()
    result.no_edit_unchanged =
      table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") == before
  end)
end

-- autostart = false: the client is started by hand from require("coda").lsp_config(), as
-- other setups (nvim-lspconfig) would; then :CodaModel, :CodaAsk, a model error, :CodaMap,
-- :CodaNewSession and :CodaSessions, with the output in a floating window.
function scenarios.manual()
  local coda = require("coda")
  local coda_client = require("coda.client")
  local output = require("coda.output")
  local stream = require("coda.stream")
  local actions = require("coda.actions")
  local bufnr = vim.api.nvim_get_current_buf()
  result.nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "."
    .. vim.version().patch

  step("no_autostart", function()
    vim.wait(300, function() return false end, 20)
    result.autostarted = coda_client.get(bufnr) ~= nil
  end)

  step("manual_start", function()
    local root = vim.fn.getcwd()
    if vim.lsp.start then -- 0.8+ (start_client is deprecated from 0.11)
      vim.lsp.start(coda.lsp_config(root), { bufnr = bufnr })
    else
      local id = vim.lsp.start_client(coda.lsp_config(root))
      vim.lsp.buf_attach_client(bufnr, id)
    end
    wait_for("coda-ls to initialize", function()
      local client = coda_client.get(bufnr)
      return client ~= nil and client.initialized == true
    end)
  end)

  local function last_request()
    local newest
    for id, _ in pairs(stream.requests) do
      if not newest or id > newest then
        newest = id
      end
    end
    return newest
  end

  local function wait_done(id)
    wait_for("request " .. tostring(id) .. " to finish", function()
      return stream.requests[id] ~= nil and stream.requests[id].done == true
    end)
  end

  step("set_model", function()
    local before = #result.notifications
    vim.cmd("CodaModel ollama qwen2.5-coder:7b")
    wait_for("the model to be set", function()
      return #result.notifications > before
    end)
    result.model_notification = result.notifications[#result.notifications].message
  end)

  step("ask", function()
    vim.cmd("CodaAsk What does this project do?")
    local id = last_request()
    wait_done(id)
    wait_for("the ask result (its session id)", function()
      return actions.session_id ~= nil
    end)
    result.ask_output = output.lines()
    local win = output.win
    result.output_float = win ~= nil and vim.api.nvim_win_get_config(win).relative ~= ""
    result.session_after_ask = actions.session_id
  end)

  step("ask_error", function()
    vim.cmd("CodaAsk This one fails")
    local id = last_request()
    wait_done(id)
    wait_for("an error notification", function()
      for _, n in ipairs(result.notifications) do
        if n.level == vim.log.levels.ERROR then
          return true
        end
      end
      return false
    end)
    result.error_output = output.lines()
  end)

  step("repo_map", function()
    local lines_before = #output.lines()
    vim.cmd("CodaMap 256")
    wait_for("the repo map", function()
      return #output.lines() > lines_before
    end)
    result.map_output = output.lines()
  end)

  step("sessions", function()
    local previous = actions.session_id
    vim.cmd("CodaNewSession from nvim")
    wait_for("a new session", function()
      return actions.session_id ~= nil and actions.session_id ~= previous
    end)
    result.new_session = actions.session_id
    local offered = {}
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        table.insert(offered, { id = item.id, label = opts.format_item(item) })
      end
      for i, item in ipairs(items) do
        if item.id == previous then
          return on_choice(item, i)
        end
      end
      on_choice(nil, nil)
    end
    vim.cmd("CodaSessions")
    wait_for("the session list", function()
      return #offered > 0
    end)
    result.sessions_offered = offered
    result.session_after_pick = actions.session_id
  end)

  step("lspconfig_and_health", function()
    local registration = require("coda.lspconfig")
    local default = registration.default_config()
    result.lspconfig = {
      cmd = default.cmd,
      stream_handler = default.handlers["coda/stream"] == stream.handler,
      root = default.root_dir(vim.api.nvim_buf_get_name(bufnr)),
      show_document = default.capabilities.window.showDocument.support,
      stream_capability = default.capabilities.experimental.codaStream,
    }
    result.native_root_markers = registration.native().root_markers
    vim.cmd("checkhealth coda")
    result.health = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  end)
end

-- Neovim 0.11+: the server registered with vim.lsp.config / vim.lsp.enable (no plugin
-- autostart), then :CodaExplain through the client that registration started.
function scenarios.native()
  local coda_client = require("coda.client")
  local stream = require("coda.stream")
  local output = require("coda.output")
  local bufnr = vim.api.nvim_get_current_buf()
  step("enable", function()
    vim.lsp.config("coda", require("coda.lspconfig").native())
    vim.lsp.enable("coda")
    vim.cmd("edit") -- FileType again: enable() attaches on it
    wait_for("vim.lsp.enable to start and attach coda-ls", function()
      local client = coda_client.get(bufnr)
      return client ~= nil and client.initialized == true
    end)
    result.root_dir = coda_client.get(bufnr).config.root_dir
  end)
  step("explain", function()
    vim.cmd("4,6CodaExplain")
    local id = next(stream.requests)
    wait_for("the explanation", function()
      return stream.requests[id] and stream.requests[id].done == true
    end)
    result.explain_output = output.lines()
  end)
end

-- :CodaAttach an image and a PDF, then :CodaAsk: they go with that question only.
function scenarios.attach()
  local coda_client = require("coda.client")
  local stream = require("coda.stream")
  local actions = require("coda.actions")
  local bufnr = vim.api.nvim_get_current_buf()

  step("start", function()
    wait_for("coda-ls to initialize", function()
      local client = coda_client.get(bufnr)
      return client ~= nil and client.initialized == true
    end)
  end)

  local function ask_and_wait(question)
    local before = vim.tbl_count(stream.requests)
    vim.cmd("CodaAsk " .. question)
    wait_for("the request to start", function()
      return vim.tbl_count(stream.requests) > before
    end)
    local newest
    for id, _ in pairs(stream.requests) do
      if not newest or id > newest then
        newest = id
      end
    end
    wait_for("request " .. newest .. " to finish", function()
      return stream.requests[newest].done == true
    end)
  end

  step("attach", function()
    vim.cmd("CodaAttach shot.png manual.pdf missing.png")
    result.pending = vim.tbl_map(function(p)
      return vim.fn.fnamemodify(p, ":t")
    end, actions.pending)
  end)

  step("ask_with_attachments", function()
    ask_and_wait("What does the error say?")
    wait_for("the attachments to be cleared", function()
      return #actions.pending == 0
    end)
  end)

  step("ask_without", function()
    ask_and_wait("And now?")
  end)
end

-- cmd points at a missing program: one clear error, no Lua traceback, no client.
function scenarios.missing()
  step("explain_without_server", function()
    vim.cmd("CodaExplain")
    vim.cmd("CodaReview")
    result.client = require("coda.client").any() ~= nil
  end)
end

local scenario = scenarios[os.getenv("NVIM_TEST_SCENARIO") or "main"]
local ok, err = xpcall(scenario, debug.traceback)
result.ok = ok
if not ok then
  result.error = tostring(err)
end
result.total_ms = elapsed_ms()
-- Messages from before this script took over vim.notify (e.g. during startup).
result.messages = vim.fn.execute("messages")
write_and_quit()
