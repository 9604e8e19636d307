-- Inline (ghost-text) completion from coda-ls's textDocument/inlineCompletion.
--
-- Neovim 0.12+: the native client, vim.lsp.inline_completion, enabled for Coda's buffers.
-- Older Neovim (0.7 .. 0.11): the same requests made here, the suggestion drawn with
-- extmarks (virtual text at the cursor, virtual lines below), a newer request cancelling
-- the older one ($/cancelRequest). Keys in insert mode, both ways: accept, next, previous,
-- dismiss (options.inline.keys). require("coda.inline").status() is "" or a pending
-- marker, for a statusline; coda/completionStatus drives it.
local M = {}

M.STATUS_METHOD = "coda/completionStatus"
M.namespace = vim.api.nvim_create_namespace("coda.inline")

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

function M.native()
  return vim.lsp.inline_completion ~= nil and has("0.12")
end

-- Per buffer (fallback only): { items, index, row, col, request_id, client, timer }.
local state = {}
local pending = {}

-- -- status -------------------------------------------------------------------------

function M.status()
  return next(pending) and "Coda…" or ""
end

function M.status_handler(err, params)
  if err or type(params) ~= "table" or type(params.uri) ~= "string" then
    return
  end
  if params.state == "pending" then
    pending[params.uri] = true
  else
    pending[params.uri] = nil
  end
  -- For statuslines that do not redraw on their own.
  vim.api.nvim_exec_autocmds("User", { pattern = "CodaCompletionStatus", modeline = false })
end

-- -- the fallback: requests and extmarks ---------------------------------------------

local function buf_state(bufnr)
  state[bufnr] = state[bufnr] or { items = {}, index = 1 }
  return state[bufnr]
end

function M.clear(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.namespace, 0, -1)
  end
  local s = state[bufnr]
  if s then
    s.items, s.index, s.shown = {}, 1, nil
  end
end

local function cancel(s)
  if s.request_id and s.client then
    if has("0.11") then
      s.client:cancel_request(s.request_id)
    else
      s.client.cancel_request(s.request_id)
    end
  end
  s.request_id = nil
end

-- The part of `text` (the item's whole first line) the user has not typed yet.
local function untyped(line_before, text)
  if text:sub(1, #line_before) == line_before then
    return text:sub(#line_before + 1)
  end
  return text
end

local function draw(bufnr)
  local s = state[bufnr]
  vim.api.nvim_buf_clear_namespace(bufnr, M.namespace, 0, -1)
  local item = s and s.items[s.index]
  if not item then
    s.shown = nil
    return
  end
  local line = vim.api.nvim_buf_get_lines(bufnr, s.row, s.row + 1, false)[1] or ""
  local lines = vim.split(item.insertText, "\n", { plain = true })
  local first = untyped(line:sub(1, s.col), lines[1])
  local virt_lines = {}
  for i = 2, #lines do
    table.insert(virt_lines, { { lines[i], "Comment" } })
  end
  local at_end = s.col >= #line
  vim.api.nvim_buf_set_extmark(bufnr, M.namespace, s.row, math.min(s.col, #line), {
    virt_text = { { first, "Comment" } },
    virt_text_pos = at_end and "overlay" or "eol",
    virt_lines = #virt_lines > 0 and virt_lines or nil,
    hl_mode = "combine",
  })
  s.shown = first .. (#lines > 1 and ("\n" .. table.concat(lines, "\n", 2)) or "")
end

local function position_params(client)
  if has("0.10") then
    return vim.lsp.util.make_position_params(0, client.offset_encoding)
  end
  return vim.lsp.util.make_position_params()
end

function M.request(bufnr, invoked)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = require("coda.client").get(bufnr)
  if not client or not client.initialized then
    return
  end
  local s = buf_state(bufnr)
  cancel(s) -- a newer request supersedes the older one (the server stops its model call)
  local params = position_params(client)
  params.context = { triggerKind = invoked and 1 or 2 }
  local cursor = vim.api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local function handler(err, result)
    s.request_id = nil
    if err or not result or vim.api.nvim_get_current_buf() ~= bufnr then
      return
    end
    local now = vim.api.nvim_win_get_cursor(0)
    if now[1] - 1 ~= row or now[2] ~= col or not vim.fn.mode():match("^i") then
      return -- the cursor moved on: this answer is stale
    end
    local items = {}
    for _, item in ipairs(result.items or result) do
      if type(item.insertText) == "string" then
        table.insert(items, item)
      end
    end
    s.items, s.index, s.row, s.col = items, 1, row, col
    draw(bufnr)
  end
  local ok, id = require("coda.client").request(client, "textDocument/inlineCompletion",
    params, handler, bufnr)
  if ok then
    s.request_id, s.client = id, client
  end
end

-- Accept the shown item: it replaces the cursor's line up to the cursor (its range).
function M.accept_fallback(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local s = state[bufnr]
  local item = s and s.items[s.index]
  if not item then
    return false
  end
  local lines = vim.split(item.insertText, "\n", { plain = true })
  local start_col = 0
  if item.range and item.range.start.character > 0 then
    local text = vim.api.nvim_buf_get_lines(bufnr, s.row, s.row + 1, false)[1] or ""
    start_col = math.min(#text, vim.str_byteindex(text, item.range.start.character, true))
  end
  if not item.range then
    start_col = s.col -- no range: insert at the cursor
  end
  M.clear(bufnr)
  vim.api.nvim_buf_set_text(bufnr, s.row, start_col, s.row, s.col, lines)
  local last = lines[#lines]
  local end_col = (#lines == 1 and start_col or 0) + #last
  vim.api.nvim_win_set_cursor(0, { s.row + #lines, end_col })
  return true
end

local function cycle(step)
  local s = state[vim.api.nvim_get_current_buf()]
  if s and #s.items > 1 then
    s.index = (s.index - 1 + step) % #s.items + 1
    draw(vim.api.nvim_get_current_buf())
  end
end

-- -- the keys, both ways -------------------------------------------------------------

-- The text currently shown as ghost text in bufnr ("" when none): for tests, statuslines.
function M.shown(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local namespace = M.native() and vim.api.nvim_get_namespaces()["nvim.lsp.inline_completion"]
    or M.namespace
  if not namespace then
    return ""
  end
  local parts = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, namespace, 0, -1,
    { details = true })) do
    local details = mark[4] or {}
    for _, chunk in ipairs(details.virt_text or {}) do
      table.insert(parts, chunk[1])
    end
    for _, line in ipairs(details.virt_lines or {}) do
      local text = {}
      for _, chunk in ipairs(line) do
        table.insert(text, chunk[1])
      end
      table.insert(parts, "\n" .. table.concat(text))
    end
  end
  return table.concat(parts)
end

function M.accept()
  if M.native() then
    return vim.lsp.inline_completion.get()
  end
  return M.accept_fallback(0)
end

function M.next()
  if M.native() then
    vim.lsp.inline_completion.select({ count = 1 })
  else
    cycle(1)
  end
end

function M.prev()
  if M.native() then
    vim.lsp.inline_completion.select({ count = -1 })
  else
    cycle(-1)
  end
end

function M.dismiss()
  if M.native() then
    -- The native client hides its suggestion when insert mode ends or text changes;
    -- clearing its extmarks hides it now (the next keystroke asks again).
    local namespace = vim.api.nvim_get_namespaces()["nvim.lsp.inline_completion"]
    if namespace then
      vim.api.nvim_buf_clear_namespace(0, namespace, 0, -1)
    end
  else
    local s = state[vim.api.nvim_get_current_buf()]
    if s then
      cancel(s)
    end
    M.clear(0)
  end
end

local function map_keys(bufnr, keys)
  local function map(lhs, fn, desc, fallback)
    if not lhs or lhs == "" then
      return
    end
    vim.keymap.set("i", lhs, function()
      if M.shown(bufnr) ~= "" then
        vim.schedule(fn) -- an <expr> mapping may not change the buffer (textlock)
        return ""
      end
      return fallback and vim.api.nvim_replace_termcodes(lhs, true, false, true) or ""
    end, { buffer = bufnr, expr = true, desc = desc })
  end
  map(keys.accept, M.accept, "Coda: accept the inline suggestion", true)
  map(keys.next, M.next, "Coda: next inline suggestion", false)
  map(keys.prev, M.prev, "Coda: previous inline suggestion", false)
  map(keys.dismiss, M.dismiss, "Coda: dismiss the inline suggestion", true)
end

-- Called for each buffer the coda client attaches to.
function M.attach(bufnr, opts)
  if not opts.enabled then
    return
  end
  if M.native() then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  else
    local group = vim.api.nvim_create_augroup("coda_inline_" .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ "TextChangedI", "TextChangedP" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        local s = buf_state(bufnr)
        M.clear(bufnr)
        if s.timer then
          s.timer:stop()
        end
        s.timer = vim.defer_fn(function()
          s.timer = nil
          if vim.fn.mode():match("^i") then
            M.request(bufnr, false)
          end
        end, opts.debounce_ms)
      end,
    })
    vim.api.nvim_create_autocmd({ "InsertLeave", "BufLeave" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        local s = buf_state(bufnr)
        cancel(s)
        M.clear(bufnr)
      end,
    })
  end
  map_keys(bufnr, opts.keys)
end

return M
