-- verdikt rule files in Neovim (0.7 and later): the `verdikt` filetype for
-- `*.vk`, and the built-in LSP client attached to `verdikt lsp`, one server
-- per rule directory.
--
-- Put this file on your 'runtimepath' as lua/verdikt.lua (or add its folder
-- to package.path) and call, from init.lua:
--
--   require('verdikt').setup()                      -- `verdikt` on $PATH
--   require('verdikt').setup({ cmd = { '/path/to/verdikt', 'lsp' } })
--
-- Then: diagnostics as you type, K (vim.lsp.buf.hover), gd
-- (vim.lsp.buf.definition), references, completion (omnifunc), formatting
-- (vim.lsp.buf.formatting) and quick fixes (vim.lsp.buf.code_action).

local M = {}

-- One client per rule directory: the server checks a directory as a whole.
local clients = {}

local function attach(buf, opts)
  local name = vim.api.nvim_buf_get_name(buf)
  if name == '' then
    return
  end
  local root = vim.fn.fnamemodify(name, ':p:h')
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'verdikt',
      cmd = opts.cmd,
      root_dir = root,
      on_attach = opts.on_attach,
    })
    clients[root] = id
  end
  if id ~= nil then
    vim.lsp.buf_attach_client(buf, id)
    vim.bo[buf].omnifunc = 'v:lua.vim.lsp.omnifunc'
    vim.bo[buf].commentstring = '# %s'
  end
end

function M.setup(opts)
  opts = opts or {}
  opts.cmd = opts.cmd or { 'verdikt', 'lsp' }
  local group = vim.api.nvim_create_augroup('verdikt', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = '*.vk',
    callback = function(args)
      vim.bo[args.buf].filetype = 'verdikt'
    end,
  })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'verdikt',
    callback = function(args)
      attach(args.buf, opts)
    end,
  })
  return M
end

return M
