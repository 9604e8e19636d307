-- Nothing starts until require("coda").setup{} is called; this only guards old versions.
if vim.fn.has("nvim-0.7") == 0 then
  vim.api.nvim_echo({ { "coda.nvim needs Neovim 0.7 or newer", "WarningMsg" } }, true, {})
end
