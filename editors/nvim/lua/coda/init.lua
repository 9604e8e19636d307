-- Coda for Neovim: require("coda").setup{...}. Needs Neovim 0.7 or newer.
local config = require("coda.config")

local M = {}

M.version = "0.1.0"

local group

function M.setup(user)
  local opts = config.set(user)
  local client = require("coda.client")
  local commands = require("coda.commands")
  local stream = require("coda.stream")
  commands.create()
  commands.register_lsp_commands()
  -- Also global, so a client started by other means (nvim-lspconfig) renders the stream.
  vim.lsp.handlers[stream.METHOD] = stream.handler
  group = vim.api.nvim_create_augroup("coda", { clear = true })
  if opts.autostart then
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile", "FileType" }, {
      group = group,
      callback = function(args)
        if client.wants(args.buf) then
          client.ensure(args.buf)
        end
      end,
    })
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do -- buffers opened before setup()
      if vim.api.nvim_buf_is_loaded(bufnr) and client.wants(bufnr) then
        client.ensure(bufnr)
      end
    end
  end
  return M
end

-- The client config for vim.lsp.start / vim.lsp.start_client / nvim-lspconfig.
function M.lsp_config(root, user)
  local opts = vim.tbl_deep_extend("force", config.options, user or {})
  return require("coda.client").lsp_config(root, opts)
end

-- Lua API (for keymaps): each takes bufnr (0 = current) and an optional 1-based line span.
local function range_of(line1, line2)
  if line1 then
    return require("coda.actions").line_range(line1, line2 or line1)
  end
  return nil
end

function M.ask(question, line1, line2)
  return require("coda.actions").ask(vim.api.nvim_get_current_buf(), question,
    range_of(line1, line2))
end

function M.explain(line1, line2)
  return require("coda.actions").explain(vim.api.nvim_get_current_buf(), range_of(line1, line2))
end

function M.review(line1, line2)
  return require("coda.actions").review(vim.api.nvim_get_current_buf(), range_of(line1, line2))
end

function M.output()
  return require("coda.output")
end

return M
