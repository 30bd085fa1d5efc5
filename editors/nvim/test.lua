-- Run by test.sh: headless Neovim with its built-in LSP client attached to
-- `verdikt lsp` (through verdikt.lua) on a copy of the shipped rules, one
-- of them broken. Exits 0 when diagnostics, hover and go-to-definition all
-- show what they should, 1 otherwise.

local verdikt = os.getenv('VERDIKT')
local rules = os.getenv('RULES')
local here = os.getenv('HERE')
package.path = here .. '/?.lua;' .. package.path

local failures = 0
local function check(ok, what, got)
  if ok then
    io.stdout:write('ok: ' .. what .. '\n')
  else
    failures = failures + 1
    io.stdout:write('FAILED: ' .. what .. ' (got: ' .. vim.inspect(got) .. ')\n')
  end
end

-- (line, column) from 0 of the first occurrence of text in a buffer.
local function find(buf, text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(text, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
end

require('verdikt').setup({ cmd = { verdikt, 'lsp' } })
vim.cmd('edit ' .. rules .. '/10-limit_adjustment.vk')
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'verdikt', 'filetype is verdikt', vim.bo[buf].filetype)

-- Diagnostics of the broken file.
vim.wait(15000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
local diagnostics = vim.diagnostic.get(buf)
local first = diagnostics[1] or {}
local lsp = (first.user_data or {}).lsp or first
check(#diagnostics == 1, 'one diagnostic in the broken file', diagnostics)
check((first.message or ''):find('unknown field `store.ratng`', 1, true) ~= nil,
  'it names the unknown field', first.message)
check(lsp.code == 'V002', 'it carries code V002', lsp.code)
local line = find(buf, 'store.ratng')
check(line ~= nil and first.lnum == line, 'it is on the broken line', first.lnum)

-- Hover on a field.
local l, c = find(buf, 'quota.status')
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  position = { line = l, character = c + 2 },
}
local replies = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000) or {}
local hover = ''
for _, reply in pairs(replies) do
  if reply.result then
    hover = reply.result.contents.value
  end
end
check(hover:find('one of active "正常", frozen "冻结", exited "已退出"', 1, true) ~= nil, 'hover shows the field declaration', hover)

-- Go to definition, as `gd` does: the editor jumps to the schema line.
l, c = find(buf, 'store.months_active')
vim.api.nvim_win_set_cursor(0, { l + 1, c + 2 })
vim.lsp.buf.definition()
vim.wait(10000, function()
  return vim.api.nvim_buf_get_name(0):find('01%-schema%.vk$') ~= nil
end, 50)
local target = vim.api.nvim_buf_get_name(0)
check(target:find('01%-schema%.vk$') ~= nil, 'definition opens the schema file', target)
local cursor = vim.api.nvim_win_get_cursor(0)
local declared = vim.api.nvim_buf_get_lines(0, cursor[1] - 1, cursor[1], false)[1] or ''
check(declared:find('^%s*store%.months_active%s+int') ~= nil, 'the cursor is on the declaration', declared)

if failures == 0 then
  io.stdout:write('neovim: diagnostics, hover and definition all shown\n')
  vim.cmd('qall!')
else
  vim.cmd('cquit 1')
end
