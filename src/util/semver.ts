/**
 * The semver functions this tool uses, each loaded from its own file: `semver`'s index loads all
 * ~50 of its modules, which every command that reads a config or a playbook would pay for at start.
 */
import coerce from 'semver/functions/coerce.js';
import compare from 'semver/functions/compare.js';
import gt from 'semver/functions/gt.js';
import lt from 'semver/functions/lt.js';
import lte from 'semver/functions/lte.js';
import parse from 'semver/functions/parse.js';
import rcompare from 'semver/functions/rcompare.js';
import rsort from 'semver/functions/rsort.js';
import valid from 'semver/functions/valid.js';

export default { coerce, compare, gt, lt, lte, parse, rcompare, rsort, valid };
