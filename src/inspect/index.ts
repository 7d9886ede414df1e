export {
  type ActorDetail,
  type ActorKind,
  type ActorView,
  type ChartKind,
  type ChartRegistry,
  createChartRegistry,
  type HistoryRow,
  type RegistryUpdate,
  type TrackEntry,
  type TransitionUpdate,
} from './registry.js';
export { activeLeafIds, edgeIdOf, leafNames } from './state-path.js';
