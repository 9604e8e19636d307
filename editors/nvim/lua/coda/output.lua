-- The output buffer (markdown) where answers stream live, one section per request.
-- Each request keeps an extmark at the end of its own section, so several requests can
-- stream at once without mixing their text.
local config = require("coda.config")

local M = {}

local ns = vim.api.nvim_create_namespace("coda_output")
local NAME = "coda://output"
M.buf = nil
M.win = nil
-- requestId -> { mark = extmark id, chars = number of characters received }
M.sections = {}

local function valid_buf()
  return M.buf and vim.api.nvim_buf_is_valid(M.buf)
end

function M.buffer()
  if valid_buf() then
    return M.buf
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, NAME)
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "hide"
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].modifiable = false
  M.buf = buf
  M.sections = {}
  return buf
end

local function with_modifiable(buf, fn)
  vim.bo[buf].modifiable = true
  local ok, err = pcall(fn)
  vim.bo[buf].modifiable = false
  if not ok then
    error(err)
  end
end

local function open_window(buf)
  local opts = config.options.output
  local previous = vim.api.nvim_get_current_win()
  local win
  if opts.layout == "float" then
    local width = math.floor(vim.o.columns * (opts.width or 0.8))
    local height = math.floor((vim.o.lines - 2) * (opts.height or 0.7))
    win = vim.api.nvim_open_win(buf, opts.focus, {
      relative = "editor",
      width = math.max(width, 20),
      height = math.max(height, 5),
      row = math.floor((vim.o.lines - height) / 2) - 1,
      col = math.floor((vim.o.columns - width) / 2),
      border = "rounded",
      style = "minimal",
    })
    vim.wo[win].wrap = true
  else
    local split = opts.layout == "vsplit" and "vsplit" or "split"
    vim.cmd(string.format("botright %d%s", opts.size or 15, split))
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
    vim.wo[win].wrap = true
    vim.wo[win].linebreak = true
    vim.wo[win].number = false
    vim.wo[win].winfixheight = true
    if not opts.focus and vim.api.nvim_win_is_valid(previous) then
      vim.api.nvim_set_current_win(previous)
    end
  end
  -- q closes the output window (the buffer and its history stay).
  vim.api.nvim_buf_set_keymap(buf, "n", "q", "<cmd>close<cr>", { noremap = true, silent = true })
  return win
end

-- Show the output buffer (opening its window if it is not visible anywhere).
function M.show()
  local buf = M.buffer()
  if M.win and vim.api.nvim_win_is_valid(M.win) and vim.api.nvim_win_get_buf(M.win) == buf then
    return M.win
  end
  local wins = vim.fn.win_findbuf(buf)
  if #wins > 0 then
    M.win = wins[1]
  else
    M.win = open_window(buf)
  end
  return M.win
end

function M.close()
  if M.win and vim.api.nvim_win_is_valid(M.win) then
    vim.api.nvim_win_close(M.win, true)
  end
  M.win = nil
end

function M.toggle()
  if M.win and vim.api.nvim_win_is_valid(M.win) then
    M.close()
  else
    M.show()
  end
end

-- Keep windows that show the output (other than the one the user is in) at the end.
local function follow(buf)
  local current = vim.api.nvim_get_current_win()
  local last = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if win ~= current then
      pcall(vim.api.nvim_win_set_cursor, win, { last, 0 })
    end
  end
end

local function insert_at_mark(buf, section, text)
  local pos = vim.api.nvim_buf_get_extmark_by_id(buf, ns, section.mark, {})
  local row, col = pos[1], pos[2]
  local lines = vim.split(text, "\n", { plain = true })
  with_modifiable(buf, function()
    vim.api.nvim_buf_set_text(buf, row, col, row, col, lines)
  end)
end

-- Start a section "## title" for a request; its text will go under it.
function M.begin(request_id, title)
  local buf = M.buffer()
  local lines = { "## " .. title, "", "" }
  with_modifiable(buf, function()
    local count = vim.api.nvim_buf_line_count(buf)
    local first = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
    if count == 1 and first == "" then
      vim.api.nvim_buf_set_lines(buf, 0, 1, false, lines)
    else
      table.insert(lines, 1, "")
      vim.api.nvim_buf_set_lines(buf, count, count, false, lines)
    end
  end)
  local last = vim.api.nvim_buf_line_count(buf) - 1
  -- right gravity (the default): the mark moves past text inserted at it.
  local mark = vim.api.nvim_buf_set_extmark(buf, ns, last, 0, {})
  M.sections[request_id] = { mark = mark, chars = 0 }
  M.show()
  follow(buf)
end

function M.has(request_id)
  return valid_buf() and M.sections[request_id] ~= nil
end

-- Append streamed text to a request's section.
function M.append(request_id, text)
  if text == nil or text == "" then
    return
  end
  if not M.has(request_id) then
    M.begin(request_id, "Coda")
  end
  local section = M.sections[request_id]
  insert_at_mark(M.buf, section, text)
  section.chars = section.chars + #text
  follow(M.buf)
end

-- Characters streamed so far for a request (0 if none).
function M.received(request_id)
  local section = M.has(request_id) and M.sections[request_id]
  return section and section.chars or 0
end

-- Close a section with a footer line (usage, cancelled, error).
function M.finish(request_id, footer)
  if not M.has(request_id) then
    return
  end
  if footer and footer ~= "" then
    insert_at_mark(M.buf, M.sections[request_id], "\n\n_" .. footer .. "_")
  end
  M.sections[request_id].done = true
  follow(M.buf)
end

-- All lines of the output buffer (for tests and :CodaOutput users' scripts).
function M.lines()
  if not valid_buf() then
    return {}
  end
  return vim.api.nvim_buf_get_lines(M.buf, 0, -1, false)
end

return M
