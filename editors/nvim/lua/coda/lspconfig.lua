-- Configuring coda-ls through other means than setup()'s autostart:
--   nvim-lspconfig (its `lspconfig.configs` registry, Neovim 0.7 .. 0.10):
--     require("coda.lspconfig").register(); require("lspconfig").coda.setup{}
--   Neovim 0.11+ (vim.lsp.config / vim.lsp.enable, also what nvim-lspconfig 2.x uses):
--     vim.lsp.config("coda", require("coda.lspconfig").native()); vim.lsp.enable("coda")
-- Pair either with require("coda").setup{ autostart = false } for the :Coda* commands and
-- the live output window.
local M = {}

local function root_pattern(markers)
  local ok, util = pcall(require, "lspconfig.util")
  if ok and util.root_pattern then
    return util.root_pattern(unpack(markers))
  end
  return nil
end

function M.default_config(user)
  local config = require("coda.config")
  local opts = vim.tbl_deep_extend("force", config.options, user or {})
  local base = require("coda.client").lsp_config(nil, opts)
  local matcher = root_pattern(opts.root_markers)
  return {
    cmd = base.cmd,
    cmd_env = base.cmd_env,
    filetypes = opts.filetypes, -- nil: lspconfig attaches to every filetype
    root_dir = function(fname)
      return (matcher and matcher(fname)) or vim.fn.getcwd()
    end,
    single_file_support = true,
    init_options = base.init_options,
    capabilities = base.capabilities,
    handlers = base.handlers,
  }
end

-- A config for vim.lsp.config("coda", ...) (Neovim 0.11+): root found by root_markers.
function M.native(user)
  local config = require("coda.config")
  local opts = vim.tbl_deep_extend("force", config.options, user or {})
  local base = require("coda.client").lsp_config(nil, opts)
  return {
    cmd = base.cmd,
    cmd_env = base.cmd_env,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    init_options = base.init_options,
    capabilities = base.capabilities,
    handlers = base.handlers,
  }
end

-- Adds the "coda" server to lspconfig's registry (lspconfig.configs).
function M.register(user)
  local configs = require("lspconfig.configs")
  if not configs.coda then
    configs.coda = {
      default_config = M.default_config(user),
      docs = {
        description = "Coda, an editor-integrated AI code assistant (coda-ls over stdio).",
      },
    }
  end
  return configs.coda
end

return M
