// The element's word tables with the customer form's own words (which load with the form, from
// en-form.ts / zh-CN-form.ts) merged in: what the form shows when no `strings` override them.
import enBase from '../../../src/translations/en.js';
import { zhCN as zhCNBase } from '../../../src/translations/index.js';
import enForm from '../../../src/translations/en-form.js';
import zhCNForm from '../../../src/translations/zh-CN-form.js';

export const en = { ...enBase, ...enForm };
export const zhCN = { ...zhCNBase, ...zhCNForm };
