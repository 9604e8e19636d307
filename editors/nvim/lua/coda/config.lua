-- Options of require("coda").setup{}: defaults, merging and validation.
local M = {}

M.defaults = {
  -- How to start the language server (a list, as for vim.lsp.start).
  cmd = { "coda-ls" },
  -- Extra environment for the server process (e.g. { OLLAMA_HOST = "http://host:11434" }).
  cmd_env = nil,
  -- Workspace root: a path, or function(bufnr) -> path. nil = search upwards for root_markers.
  root_dir = nil,
  root_markers = { ".coda", ".git", ".hg", ".svn", ".fossil", "_darcs", ".bzr", "pyproject.toml",
    "package.json", "Cargo.toml", "go.mod" },
  -- Start the server for buffers of these filetypes; nil = every file buffer.
  filetypes = nil,
  -- Start automatically when a matching buffer opens. false = only on the first :Coda* command
  -- (or when you start the server yourself, e.g. with nvim-lspconfig).
  autostart = true,
  -- Shortcuts merged into init_options (Coda's config keys, nested as in config.toml).
  provider = nil,
  model = nil,
  mode = nil,
  -- initializationOptions: { provider, model, mode, repomap = { tokens }, permissions = {...} }.
  init_options = {},
  -- Where answers stream: layout "split" (below), "vsplit" (right) or "float".
  output = { layout = "split", size = 15, focus = false, width = 0.8, height = 0.7 },
  -- Let the server open its answer documents (window/showDocument) in addition to the live
  -- output window. Off: the output window already shows the same text.
  show_document = false,
  -- Inline (ghost-text) completion: vim.lsp.inline_completion on Neovim 0.12+, extmarks
  -- before. Suggestions come once coda-ls has a completion model ([completion] model in
  -- Coda's config, or init_options = { completion = { model = "qwen2.5-coder:1.5b-base" } }).
  -- Keys are insert-mode; accept and dismiss fall through to the key when nothing is shown.
  inline = {
    enabled = true,
    debounce_ms = 150, -- before Neovim 0.12 (the native client has its own)
    keys = { accept = "<Tab>", next = "<M-]>", prev = "<M-[>", dismiss = "<C-]>" },
  },
  -- Called as on_attach(client, bufnr) after the client attaches to a buffer.
  on_attach = nil,
  -- How long a command waits for the server to finish initializing (ms).
  start_timeout = 15000,
}

M.options = vim.deepcopy(M.defaults)

local function check(opts)
  vim.validate({
    cmd = { opts.cmd, "table" },
    root_dir = { opts.root_dir, { "string", "function" }, true },
    root_markers = { opts.root_markers, "table" },
    filetypes = { opts.filetypes, "table", true },
    autostart = { opts.autostart, "boolean" },
    init_options = { opts.init_options, "table" },
    output = { opts.output, "table" },
    on_attach = { opts.on_attach, "function", true },
    inline = { opts.inline, "table" },
  })
  local layouts = { split = true, vsplit = true, float = true }
  if not layouts[opts.output.layout] then
    error(string.format("coda: output.layout must be split, vsplit or float, not %q",
      tostring(opts.output.layout)))
  end
end

function M.set(user)
  local opts = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), user or {})
  if user and user.cmd then
    opts.cmd = user.cmd -- lists are replaced, not merged index by index
  end
  if user and user.root_markers then
    opts.root_markers = user.root_markers
  end
  check(opts)
  M.options = opts
  return opts
end

-- initializationOptions sent to coda-ls: init_options plus the provider/model/mode shortcuts.
function M.init_options(opts)
  opts = opts or M.options
  local init = vim.deepcopy(opts.init_options or {})
  for _, key in ipairs({ "provider", "model", "mode" }) do
    if opts[key] ~= nil then
      init[key] = opts[key]
    end
  end
  return init
end

return M
