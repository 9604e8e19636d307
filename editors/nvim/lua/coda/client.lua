-- Starting coda-ls and finding its client, across Neovim 0.7 .. 0.11 APIs.
local config = require("coda.config")

local M = {}

M.name = "coda"
-- root_dir -> client id, for Neovim 0.7 (no vim.lsp.start to reuse clients for us).
local by_root = {}
local warned_missing = false

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

-- client:request() (0.11 method style) or client.request() (0.7 .. 0.10).
function M.request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.is_stopped(client)
  if has("0.11") then
    return client:is_stopped()
  end
  return client.is_stopped()
end

local function all_clients()
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients({ name = M.name })
  end
  local found = {}
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == M.name then
      table.insert(found, client)
    end
  end
  return found
end

-- The coda client attached to bufnr, or nil.
function M.get(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  for _, client in ipairs(all_clients()) do
    if vim.lsp.buf_is_attached(bufnr, client.id) and not M.is_stopped(client) then
      return client
    end
  end
  return nil
end

-- Any running coda client (for commands that need no document, such as :CodaModel).
function M.any()
  for _, client in ipairs(all_clients()) do
    if not M.is_stopped(client) then
      return client
    end
  end
  return nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ":h")
end

-- Search upwards from the buffer's directory (vim.fs.find is 0.8+, so use finddir/findfile).
function M.root_dir(bufnr, opts)
  opts = opts or config.options
  if type(opts.root_dir) == "function" then
    local root = opts.root_dir(bufnr)
    if root then
      return (vim.fn.fnamemodify(root, ":p"):gsub("/$", ""))
    end
  elseif type(opts.root_dir) == "string" then
    return (vim.fn.fnamemodify(opts.root_dir, ":p"):gsub("/$", ""))
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and dirname(name) or vim.fn.getcwd()
  local best
  for _, marker in ipairs(opts.root_markers or {}) do
    local hit = vim.fn.finddir(marker, start .. ";")
    if hit == "" then
      hit = vim.fn.findfile(marker, start .. ";")
    end
    if hit ~= "" then
      local root = dirname(vim.fn.fnamemodify(hit, ":p:s?/$??"))
      if not best or #root > #best then -- the innermost project wins
        best = root
      end
    end
  end
  return best or vim.fn.getcwd()
end

-- Buffers Coda attaches to: real files, optionally filtered by filetype.
function M.wants(bufnr, opts)
  opts = opts or config.options
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return false
  end
  if vim.api.nvim_buf_get_name(bufnr) == "" then
    return false
  end
  if opts.filetypes then
    return vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype)
  end
  return true
end

function M.capabilities(opts)
  opts = opts or config.options
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.window = caps.window or {}
  -- The plugin renders coda/stream live; the server's answer document would duplicate it.
  caps.window.showDocument = { support = opts.show_document and true or false }
  -- coda-ls sends coda/stream only to clients that ask for it (this plugin renders it).
  caps.experimental = vim.tbl_extend("force", caps.experimental or {}, { codaStream = true })
  -- ... and coda/completionStatus (the inline completion's pending marker).
  caps.experimental.codaCompletionStatus = true
  return caps
end

local function empty_as_dict(t)
  if vim.tbl_isempty(t) then
    return vim.empty_dict() -- an empty Lua table would be sent as a JSON array
  end
  return t
end

-- The client configuration (usable with vim.lsp.start, vim.lsp.start_client or lspconfig).
function M.lsp_config(root, opts)
  opts = opts or config.options
  local stream = require("coda.stream")
  return {
    name = M.name,
    cmd = opts.cmd,
    cmd_env = opts.cmd_env,
    root_dir = root,
    init_options = empty_as_dict(config.init_options(opts)),
    capabilities = M.capabilities(opts),
    handlers = {
      [stream.METHOD] = stream.handler,
      [require("coda.inline").STATUS_METHOD] = require("coda.inline").status_handler,
    },
    on_attach = function(client, bufnr)
      require("coda.inline").attach(bufnr, opts.inline)
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
  }
end

-- Start (or reuse) the client for bufnr and attach it. Returns the client or nil.
function M.ensure(bufnr, opts)
  opts = opts or config.options
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local attached = M.get(bufnr)
  if attached then
    return attached
  end
  if not M.wants(bufnr, opts) then
    return nil
  end
  if vim.fn.executable(opts.cmd[1]) == 0 then
    if not warned_missing then -- once per session, not on every buffer
      warned_missing = true
      vim.notify(string.format("Coda: `%s` is not executable — install Coda (it provides "
        .. "coda-ls) or set cmd in require('coda').setup{}", opts.cmd[1]), vim.log.levels.ERROR)
    end
    return nil
  end
  local root = M.root_dir(bufnr, opts)
  local cfg = M.lsp_config(root, opts)
  local id
  if vim.lsp.start then -- 0.8+: reuses a client with the same name and root_dir
    id = vim.lsp.start(cfg, { bufnr = bufnr })
  else
    id = by_root[root]
    local existing = id and vim.lsp.get_client_by_id(id)
    if not existing or M.is_stopped(existing) then
      id = vim.lsp.start_client(cfg)
      by_root[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  return id and vim.lsp.get_client_by_id(id) or nil
end

-- Call fn(client) once the client for bufnr has initialized (polls; never blocks the UI).
function M.with_client(bufnr, fn, opts)
  opts = opts or config.options
  local client = M.ensure(bufnr, opts) or M.any()
  if not client then
    if vim.fn.executable(opts.cmd[1]) == 1 then
      vim.notify("Coda: no language server for this buffer — open a file first",
        vim.log.levels.ERROR)
    end -- else ensure() has said why
    return
  end
  local deadline = vim.loop.now() + opts.start_timeout
  local function try()
    if M.is_stopped(client) then
      vim.notify("Coda: the language server stopped — see :LspLog", vim.log.levels.ERROR)
    elseif client.initialized then
      fn(client)
    elseif vim.loop.now() > deadline then
      vim.notify("Coda: the language server did not start within "
        .. opts.start_timeout .. " ms — see :LspLog", vim.log.levels.ERROR)
    else
      vim.defer_fn(try, 50)
    end
  end
  try()
end

return M
